"""Catalogue operations through the local server: median and p95 latency, and DynamoDB round trips per
operation (counted by a botocore hook in the handler, returned by the local server in a header). Then the
cold start of each function: the import time of its module.

    make bench            (or: .venv/bin/python -m bench.catalogue [iterations])
"""

import re
import subprocess
import sys
from pathlib import Path

from bench.common import HEADER, Figures, local_api, new_client, timed
from kairos.routes import Area

ROOT = Path(__file__).resolve().parents[1]
LOCATION = {"name": "Clinic", "time_zone": "Europe/Stockholm", "resource_selection_strategy": "equalize"}
SERVICE = {"name": "Exam", "type": "fixed", "duration": "PT50M", "price": "149.000"}


def catalogue(iterations: int) -> list[Figures]:
    names = [
        "POST /locations",
        "GET /locations/{id}",
        "GET /locations (list)",
        "PATCH /locations/{id}",
        "PUT /locations/{id}",
        "POST /resources",
        "POST /services",
        "PUT /services/{s}/resources/{r}",
        "GET /services/{s}/resources",
        "GET /project",
        "DELETE /resources/{id}",
    ]
    figures = {n: Figures(n) for n in names}
    with local_api() as (base_url, store):
        client = new_client(base_url, store)
        client.call("GET", "/project")  # warm the token cache, as a warm Lambda would be
        for number in range(iterations):
            f = figures
            location = timed(f["POST /locations"], client, "POST", "/locations", LOCATION).json()
            path = f"/locations/{location['id']}"
            timed(f["GET /locations/{id}"], client, "GET", path)
            timed(f["GET /locations (list)"], client, "GET", "/locations?per_page=20")
            timed(f["PATCH /locations/{id}"], client, "PATCH", path, {"name": f"Clinic {number}"})
            timed(f["PUT /locations/{id}"], client, "PUT", path, LOCATION)
            resource = timed(f["POST /resources"], client, "POST", "/resources", {"name": "Dr"}).json()
            service = timed(f["POST /services"], client, "POST", "/services", SERVICE).json()
            link = f"/services/{service['id']}/resources/{resource['id']}"
            timed(f["PUT /services/{s}/resources/{r}"], client, "PUT", link)
            timed(f["GET /services/{s}/resources"], client, "GET", f"/services/{service['id']}/resources")
            timed(f["GET /project"], client, "GET", "/project")
            timed(f["DELETE /resources/{id}"], client, "DELETE", f"/resources/{resource['id']}")
    return list(figures.values())


def cold_starts() -> dict[str, float]:
    """Milliseconds to import each function's module in a fresh interpreter (python -X importtime)."""
    results: dict[str, float] = {}
    for area in Area:
        handler = ROOT / "functions" / area.value / "handler.py"
        code = (
            f"import importlib.util as u; s = u.spec_from_file_location('handler', {str(handler)!r}); "
            "m = u.module_from_spec(s); s.loader.exec_module(m)"
        )
        env = {"AWS_DEFAULT_REGION": "eu-central-1", "KAIROS_TABLE_NAME": "bench", "PATH": ""}
        run = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        total = 0
        for line in run.stderr.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s?(\S.*)$", line)
            if match and not match[2].startswith(" "):
                total += int(match[1])
        results[area.value] = total / 1000
    return results


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"Catalogue through the local server ({iterations} iterations each; trips = DynamoDB round trips)")
    print(HEADER)
    for row in catalogue(iterations):
        print(row.row())
    print("\nCold start: import time of each function's module (python -X importtime, top-level imports)")
    for area, millis in cold_starts().items():
        print(f"  {area:<12} {millis:8.1f} ms")


if __name__ == "__main__":
    main()
