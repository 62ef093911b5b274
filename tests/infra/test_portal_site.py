"""The Portal web app's static site in the template: a private, encrypted, SSL-only bucket read by
CloudFront through Origin Access Control only; HTTPS only, index.html at the root and for the app's paths;
the security headers (a content security policy without inline scripts that lets the app reach the API);
the built app deployed with the config.json the stack writes from its own resources; and the Portal's
address defaulting to the distribution's."""

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.portal_site import MissingWebBuild, PortalSite
from infra.references import logical_id
from infra.stack import KairosStack
from kairos.portal.site_config import CONFIG_FILE
from kairos.portal.site_headers import security_headers
from tests.infra.conftest import CLOUD_ASSEMBLY

pytestmark = pytest.mark.xdist_group("infra")

MARKER = re.compile(r"<<marker:0xbaba:(\d+)>>")


def _only(template: Template, kind: str) -> tuple[str, dict[str, Any]]:
    (found,) = template.find_resources(kind).items()
    return found


def test_the_bucket_is_private_encrypted_ssl_only_and_read_by_the_distribution_alone(
    template: Template, stack: KairosStack
) -> None:
    bucket = logical_id(stack.site.bucket)
    properties = template.to_json()["Resources"][bucket]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert "WebsiteConfiguration" not in properties  # a plain bucket, no public website endpoint
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in template.find_resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    denied = [s for s in policy if s["Effect"] == "Deny"]
    assert [s["Condition"] for s in denied] == [{"Bool": {"aws:SecureTransport": "false"}}]
    readers = [s for s in policy if s["Effect"] == "Allow" and "s3:GetObject" in s["Action"]]
    assert [s["Principal"] for s in readers] == [{"Service": "cloudfront.amazonaws.com"}]
    source = json.dumps(readers[0]["Condition"]["StringEquals"]["AWS:SourceArn"])
    assert logical_id(stack.site.distribution) in source  # this distribution only
    assert not any(s["Principal"] == "*" or s["Principal"] == {"AWS": "*"} for s in readers)


def test_the_distribution_uses_oac_https_only_and_serves_the_app_for_its_paths(
    template: Template, stack: KairosStack
) -> None:
    oac_id, oac = _only(template, "AWS::CloudFront::OriginAccessControl")
    assert oac["Properties"]["OriginAccessControlConfig"] == {
        "Name": oac["Properties"]["OriginAccessControlConfig"]["Name"],
        "OriginAccessControlOriginType": "s3",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    assert not template.find_resources("AWS::CloudFront::CloudFrontOriginAccessIdentity")
    _, distribution = _only(template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["DomainName"] == {"Fn::GetAtt": [logical_id(stack.site.bucket), "RegionalDomainName"]}
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": logical_id(stack.site.headers)}
    assert config["DefaultRootObject"] == "index.html"
    assert sorted(
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]
    ) == [(403, 200, "/index.html"), (404, 200, "/index.html")]


def test_the_security_headers_allow_the_app_and_its_api_and_no_inline_script(
    template: Template, stack: KairosStack
) -> None:
    _, policy = _only(template, "AWS::CloudFront::ResponseHeadersPolicy")
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = stack.resolve(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    parts = csp["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "{" + json.dumps(p) + "}" for p in parts)
    directives = {d.split()[0]: d.split()[1:] for d in text.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    api = logical_id(stack.api)
    (connect,) = [d for d in text.split("; ") if d.startswith("connect-src")]
    assert connect == (
        "connect-src 'self' https://{" + json.dumps({"Ref": api}) + "}.execute-api.eu-central-1.{"
        + json.dumps({"Ref": "AWS::URLSuffix"}) + "}"
    )  # fmt: skip
    assert "unsafe" not in text
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert all(h["Override"] for h in headers.values())


def test_the_policy_sends_the_headers_the_local_server_sends_over_https(
    template: Template, stack: KairosStack
) -> None:
    """One source for both: the policy, written as the headers CloudFront adds, is `security_headers`."""
    _, policy = _only(template, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    assert set(config) == {"Name", "Comment", "SecurityHeadersConfig"}  # no custom or CORS headers
    headers = config["SecurityHeadersConfig"]
    hsts = headers["StrictTransportSecurity"]
    sent = {
        "content-security-policy": headers["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "x-content-type-options": "nosniff",  # what CloudFront sends for ContentTypeOptions
        "x-frame-options": headers["FrameOptions"]["FrameOption"],
        "referrer-policy": headers["ReferrerPolicy"]["ReferrerPolicy"],
        "strict-transport-security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts["IncludeSubdomains"] else ""),
    }
    assert set(headers) == {"ContentSecurityPolicy", "ContentTypeOptions", "FrameOptions", "ReferrerPolicy",
                            "StrictTransportSecurity"}  # fmt: skip
    assert sent == stack.resolve(security_headers(stack.site.api_origin))


def test_the_app_is_deployed_with_the_config_the_stack_writes(template: Template, stack: KairosStack) -> None:
    _, deployment = _only(template, "Custom::CDKBucketDeployment")
    properties = deployment["Properties"]
    assert properties["DestinationBucketName"] == {"Ref": logical_id(stack.site.bucket)}
    assert properties["DistributionId"] == {"Ref": logical_id(stack.site.distribution)}
    assert properties["DistributionPaths"] == ["/*"]
    assert properties["Prune"] is True
    staged = [CLOUD_ASSEMBLY / f"asset.{key.removesuffix('.zip')}" for key in properties["SourceObjectKeys"]]
    app, config = staged
    assert (app / "index.html").is_file()  # web/dist as built
    text = (config / CONFIG_FILE).read_text()
    markers = properties["SourceMarkers"][1]
    values = json.loads(MARKER.sub(lambda m: json.dumps(str(m.group(0))), text))
    resolved = {key: markers.get(value, value) for key, value in values.items()}
    assert set(resolved) == {"api_url", "portal_api_url", "region", "user_pool_id", "user_pool_client_id"}
    assert resolved["region"] == "eu-central-1"
    stage = {"Ref": logical_id(stack.api.deployment_stage)}
    for key, suffix in (("api_url", '/v1"'), ("portal_api_url", '/portal"')):
        parts = resolved[key]["Fn::Join"][1]
        assert parts[0] == '"https://' and parts[1] == {"Ref": logical_id(stack.api)}
        assert parts[-2:] == [stage, suffix]
    assert resolved["user_pool_id"]["Fn::Join"][1][1] == {"Ref": logical_id(stack.portal.user_pool)}
    assert resolved["user_pool_client_id"]["Fn::Join"][1][1] == {"Ref": logical_id(stack.portal.client)}


def test_the_portal_url_is_the_distribution_unless_the_parameter_names_another(
    template: Template, stack: KairosStack
) -> None:
    parameter = template.to_json()["Parameters"]["PortalUrl"]
    assert parameter["Default"] == ""
    domain = {"Fn::GetAtt": [logical_id(stack.site.distribution), "DomainName"]}
    for function in stack.portal.functions.values():
        variables = template.to_json()["Resources"][logical_id(function)]["Properties"]["Environment"]
        chosen = variables["Variables"]["KAIROS_PORTAL_URL"]["Fn::If"]
        assert chosen[:2] == ["PortalUrlGiven", {"Ref": "PortalUrl"}]
        assert chosen[2] == {"Fn::Join": ["", ["https://", domain]]}
    outputs = template.to_json()["Outputs"]
    assert outputs["PortalSiteUrl"]["Value"] == {"Fn::Join": ["", ["https://", domain]]}


def test_synthesis_without_the_built_app_says_to_run_make_install(tmp_path: Path) -> None:
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Site")
    api = cdk.aws_apigateway.RestApi(stack, "Api")
    api.root.add_method("GET")
    with pytest.raises(MissingWebBuild, match="make install"):
        PortalSite(stack, "Site", api=api, site_dir=tmp_path / "dist")
