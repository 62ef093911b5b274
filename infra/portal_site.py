"""The Portal web app as a static site: a private S3 bucket behind a CloudFront distribution that reads it
through Origin Access Control, HTTPS only, with security headers (`kairos.portal.site_headers`, which the
local server sends too: a content security policy that allows the app itself and the API's origin, and no
inline script), the app's SPA paths answered by index.html,
and the built app (`web/dist`, which `make install` builds) deployed with the `config.json` the app reads
at start (`kairos.portal.site_config`), written from the stack's own resources."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import (
    Acknowledgment,
    DefaultStackSynthesizer,
    Duration,
    RemovalPolicy,
    Stack,
    Validations,
)
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.constants import SITE_DIR
from infra.references import logical_id
from kairos.portal.site_config import CONFIG_FILE
from kairos.portal.site_headers import (
    FRAME_OPTIONS,
    HSTS_INCLUDE_SUBDOMAINS,
    HSTS_MAX_AGE_SECONDS,
    REFERRER_POLICY,
    content_security_policy,
)

INDEX = "index.html"
# Browsers ask again every time (a new deployment shows at once; the answer is a 304 when unchanged);
# CloudFront keeps the files until the next deployment, which invalidates them.
CACHE_CONTROL = "public, max-age=0, must-revalidate, s-maxage=31536000"


class MissingWebBuild(RuntimeError):
    """The stack deploys the built web app; it is built by `make install`."""


def _enum_name(header_value: str) -> str:
    """CDK's name for a header value: `strict-origin-when-cross-origin` is STRICT_ORIGIN_WHEN_CROSS_ORIGIN."""
    return header_value.upper().replace("-", "_")


class PortalSite(Construct):
    """The bucket, the distribution and its headers; `publish` then deploys the app with its config (the
    config names the user pool, which the Portal's construct creates with this site's URL)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, api: apigw.RestApi, site_dir: Path = SITE_DIR
    ) -> None:
        super().__init__(scope, construct_id)
        if not (site_dir / INDEX).is_file():
            raise MissingWebBuild(
                f"{site_dir / INDEX} is missing: the stack deploys the built Portal web app. "
                "Run `make install` (it builds web/ into web/dist), then synthesize again."
            )
        self._site_dir = site_dir
        stack = Stack.of(self)
        self.api_origin = f"https://{api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.DESTROY,  # the build, rebuilt by any deployment
            auto_delete_objects=True,
        )
        self.headers = cloudfront.ResponseHeadersPolicy(
            self,
            "Headers",
            comment="Kairos Portal: security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(self.api_origin), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(HSTS_MAX_AGE_SECONDS),
                    include_subdomains=HSTS_INCLUDE_SUBDOMAINS,
                    override=True,
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption[FRAME_OPTIONS], override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy[_enum_name(REFERRER_POLICY)],
                    override=True,
                ),
            ),
        )
        # The app's paths (/projects/..., the mailed /verify?token=...) are no files: S3 answers 403 for a
        # missing key when the reader may not list the bucket, so both 403 and 404 serve the app.
        spa_fallback = [
            cloudfront.ErrorResponse(
                http_status=status, response_http_status=200, response_page_path=f"/{INDEX}"
            )
            for status in (403, 404)
        ]
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Kairos Portal web app",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.headers,
                compress=True,
            ),
            default_root_object=INDEX,
            error_responses=spa_fallback,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
        )
        self.url = f"https://{self.distribution.distribution_domain_name}"
        self._acknowledge()

    def publish(self, config: Mapping[str, Any]) -> s3deploy.BucketDeployment:
        """The built app and its config.json into the bucket; the distribution's copies invalidated."""
        deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            sources=[
                s3deploy.Source.asset(str(self._site_dir)),
                s3deploy.Source.json_data(CONFIG_FILE, dict(config)),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            cache_control=[s3deploy.CacheControl.from_string(CACHE_CONTROL)],
            prune=True,
        )
        self._acknowledge_deployment(deployment)
        return deployment

    def _acknowledge_deployment(self, deployment: s3deploy.BucketDeployment) -> None:
        """CDK's BucketDeployment runs a function of its own (one per stack, beside this construct) at
        deployment time: what it is granted, and why that is all it can be given."""
        stack = Stack.of(self)
        assets = (
            f"arn:{stack.partition}:s3:::cdk-{DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-"
            f"<AWS::AccountId>-{stack.region}/*"
        )
        copier = "CDK's BucketDeployment function (it copies the built app into the site bucket at "
        handler = deployment.handler_role.node.scope
        assert handler is not None
        Validations.of(handler).acknowledge(
            Acknowledgment(
                id="AwsSolutions-L1",
                reason=copier + "deployment) runs the runtime CDK's version pins; it is not ours to move.",
            ),
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                reason=copier + "deployment): AWS's basic execution policy lets it write its own logs only.",
            ),
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[{finding}]",
                    reason=copier + "deployment) reads the zipped build from the CDK bootstrap's asset "
                    "bucket: CDK's read grant on that bucket's objects (s3:GetObject*, GetBucket*, List*).",
                )
                for finding in (
                    "Action::s3:GetBucket*",
                    "Action::s3:GetObject*",
                    "Action::s3:List*",
                    f"Resource::{assets}",
                )
            ),
            *(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[{finding}]",
                    reason=copier + "deployment) writes the build into the site bucket and deletes the "
                    "files of former builds: CDK's read-write grant on this bucket's objects only.",
                )
                for finding in (
                    "Action::s3:Abort*",
                    "Action::s3:DeleteObject*",
                    f"Resource::<{logical_id(self.bucket)}.Arn>/*",
                )
            ),
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason=copier + "deployment) invalidates the distribution's copies afterwards; CDK grants "
                "cloudfront:CreateInvalidation and GetInvalidation on '*' for it.",
            ),
        )

    def _acknowledge(self) -> None:
        Validations.of(self).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="No server access logs on the site's bucket: only CloudFront reads it (OAC), and "
                "what it serves is the same public build to everyone.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR3",
                reason="No CloudFront access logs: the Portal's mailed links carry one-time secrets in the "
                "query string (/verify?token=, /reset-password?token=), which the logs would keep; the "
                "admin API, where a person's actions happen, has API Gateway's access logs.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="No geo restriction: the Portal is for developers anywhere; the site holds only the "
                "public build of the app.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR2",
                reason="No WAF on the static site (cost per web ACL and rule): it serves fixed files from "
                "a private bucket; the admin API it calls is rate-limited by its functions.",
            ),
            Acknowledgment(
                id="AwsSolutions-CFR4",
                reason="The distribution uses CloudFront's default *.cloudfront.net certificate, whose "
                "minimum protocol CloudFront fixes; a custom domain with an ACM certificate (TLSv1.2_2021) "
                "is the operator's option.",
            ),
        )
