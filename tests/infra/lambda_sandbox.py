"""The deployed layout, rebuilt on this machine for the deployed-layout test.

- Assets are zipped as the CDK CLI zips them for upload (files only, in order, every date 1980-01-01, modes
  kept) and unpacked as Lambda unpacks them (those dates and modes restored on the files).
- The interpreter holds nothing but what Lambda's Python runtime brings: boto3 and what it requires, at
  the lock's versions (a venv without pip; not the development environment).

All is kept in .venv/lambda-layout and reused: an unpacked asset under its content hash (the name CDK gave
its staged directory), the interpreter while its requirements are unchanged, and the bytecode Python
compiles in a cache of its own, so the unpacked trees stay as Lambda has them (it cannot write there).
Test processes running at once (xdist workers) share it: each builds an asset in a folder of its own and
moves it into place whole (when another got there first, its copy is kept); the interpreter is built by one
at a time."""

import fcntl
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from infra.constants import REPO_ROOT
from infra.lock import read_lock, requirements, runtime_packages

CACHE = REPO_ROOT / ".venv" / "lambda-layout"
UNPACKED = CACHE / "unpacked"
BYTECODE = CACHE / "bytecode"
RUNTIME = CACHE / "runtime"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # cdk-assets resets every date, so equal content zips to equal bytes
BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
# The bootstrap run under cProfile on the process CPU clock: `-c PROFILE_FILE BOOTSTRAP ARGS...`.
PROFILED = (
    "import cProfile, runpy, sys, time\n"
    "profile_file, sys.argv = sys.argv[1], sys.argv[2:]\n"
    "profiler = cProfile.Profile(time.process_time)\n"
    "profiler.enable()\n"
    "try:\n"
    "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
    "finally:\n"
    "    profiler.disable()\n"
    "    profiler.dump_stats(profile_file)\n"
)


def zipped(directory: Path) -> bytes:
    """The asset as uploaded: its files (no directory entries), in path order, dated ZIP_DATE."""
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=ZIP_DATE)
            entry.external_attr = (path.stat().st_mode & 0xFFFF) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(entry, path.read_bytes())
    return archive.getvalue()


def unpack(archive: bytes, target: Path) -> None:
    """As Lambda unpacks code and layers: each file with the mode and the date the zip gives it."""
    with zipfile.ZipFile(BytesIO(archive)) as zipped_asset:
        for entry in zipped_asset.infolist():
            path = target / entry.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(zipped_asset.read(entry))
            path.chmod((entry.external_attr >> 16) & 0o7777 or 0o644)
            date = datetime(*entry.date_time, tzinfo=UTC).timestamp()
            os.utime(path, (date, date))


def deployed(staged: Path) -> Path:
    """The staged asset directory as Lambda holds it once uploaded and unpacked (cached by its hash)."""
    target = UNPACKED / staged.name
    if not target.exists():
        building = UNPACKED / f"{staged.name}.partial-{os.getpid()}"
        unpack(zipped(staged), building)
        _move_into_place(building, target)
    return target


def _move_into_place(building: Path, target: Path) -> None:
    """Whole or not at all (an interrupted build is never used); a target already there is kept."""
    try:
        building.rename(target)
    except OSError:  # another process moved its own there first
        shutil.rmtree(building)


def unzipped_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def runtime_python() -> Path:
    """An interpreter with only the Lambda runtime's packages, built again when the lock changes them.

    Built under a file lock: a worker that found no interpreter must not replace one that another worker
    finished meanwhile (and may be running)."""
    wanted = requirements(runtime_packages(read_lock()))
    installed = RUNTIME / "requirements.txt"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "runtime.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not installed.exists() or installed.read_text() != wanted:
            building = CACHE / f"runtime.partial-{os.getpid()}"
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(building)], check=True)
            (building / "requirements.txt").write_text(wanted)
            version = f"python{sys.version_info.major}.{sys.version_info.minor}"
            site = building / "lib" / version / "site-packages"
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
                 "--no-compile", "--target", str(site), "-r", str(building / "requirements.txt")],
                check=True,
            )  # fmt: skip
            if RUNTIME.exists():  # built for another lock
                shutil.rmtree(RUNTIME)
            building.rename(RUNTIME)
    return RUNTIME / "bin" / "python"


def run(
    python: Path,
    task: Path,
    opt: Path,
    handler: str,
    timeout_seconds: int,
    events: Path,
    answers: Path,
    environment: dict[str, str],
    *,
    write_bytecode: bool = True,
    calls: Path | None = None,
    profile: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """One function's cold start and its events, in `python` isolated from this process's environment
    (-I: no PYTHON* variables, no user site, no script directory on sys.path). Without `write_bytecode`,
    as on Lambda: what has no valid bytecode in the asset is compiled at every start (the bench's way);
    with it, compiled once into BYTECODE (the test's way: faster, and the same answers). With `calls`, the
    AWS calls the function makes are appended to that file (one JSON line each). With `profile`, the run
    is profiled (cProfile, process CPU) into that file."""
    bytecode = ["-X", f"pycache_prefix={BYTECODE}"] if write_bytecode else ["-B"]
    profiled = ["-c", PROFILED, str(profile)] if profile else []
    return subprocess.run(
        [str(python), "-I", *bytecode, *profiled, str(BOOTSTRAP),
         str(task), str(opt), handler, str(timeout_seconds), str(events), str(answers),
         *([str(calls)] if calls else [])],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
