"""The command line: the only module that prints or sets an exit status."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import LIBRARIES, ConfigError, Target, load_targets, make_target
from .errors import OutputError, Problem, SpecError
from .load import load_api

# Each command imports what it runs: ``diff`` and ``validate`` never load the renderer's writing side.
if TYPE_CHECKING:
    from .build import BuildResult, CheckResult
    from .docs_site import SiteProject
    from .phases import Phases
    from .render.cache import RenderCache


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clientgen",
        description="Generate typed Python client packages and Markdown docs from OpenAPI 3.",
    )
    parser.add_argument(
        "--version", action="version", version=f"clientgen {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser(
        "build",
        help="regenerate every target listed in [tool.clientgen] of pyproject.toml",
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="exit 1 with a diff when generated/ is stale",
    )
    build.add_argument(
        "--force", action="store_true", help="rebuild even when nothing changed"
    )
    build.add_argument(
        "--lenient",
        action="store_true",
        help="generate despite fixable spec flaws (warned)",
    )
    build.add_argument(
        "--config",
        default="pyproject.toml",
        help="the pyproject.toml to read (default: %(default)s)",
    )
    build.add_argument(
        "--watch",
        action="store_true",
        help="stay running: rebuild a target when its spec or a file it references changes",
    )
    _output_options(build)

    gen = sub.add_parser("generate", help="generate one project from one spec")
    gen.add_argument("spec")
    gen.add_argument(
        "--output",
        required=True,
        help="the project folder: a new or empty one, or one clientgen generated",
    )
    gen.add_argument("--package", required=True, help="the Python package name")
    gen.add_argument("--library", default="sync", choices=list(LIBRARIES))
    gen.add_argument(
        "--version", dest="package_version", default="1.0.0", help="the package version"
    )
    gen.add_argument(
        "--lenient",
        action="store_true",
        help="generate despite fixable spec flaws (warned)",
    )
    _output_options(gen)

    val = sub.add_parser(
        "validate", help="validate specs and report every problem with its location"
    )
    val.add_argument("specs", nargs="+")
    val.add_argument(
        "--lenient", action="store_true", help="report fixable flaws as warnings"
    )

    diff = sub.add_parser(
        "diff",
        help="what changed between two versions of a spec, and the version bump it needs",
    )
    diff.add_argument("old", help="the old spec: a file, or REV:PATH read from git")
    diff.add_argument("new", help="the new spec: a file, or REV:PATH read from git")
    diff.add_argument(
        "--package",
        help="the Python package name (default: from the new spec's file name)",
    )
    diff.add_argument("--library", default="sync", choices=list(LIBRARIES))
    diff.add_argument(
        "--lenient",
        action="store_true",
        help="compare despite fixable spec flaws (counted on stderr)",
    )
    diff.add_argument("--json", action="store_true", help="print the report as JSON")
    diff.add_argument(
        "--fail-on",
        choices=["breaking"],
        help="exit 1 when a change is breaking (for CI)",
    )

    model = sub.add_parser("model", help="print the intermediate model as JSON")
    model.add_argument("spec")
    model.add_argument("--lenient", action="store_true")

    site = sub.add_parser(
        "docs-site",
        help="build a static docs site (MkDocs, Material theme) of each generated package",
        description="Build a static docs site per generated package from its Markdown (README.md and "
        "docs/) with MkDocs and the Material theme, in strict mode: a broken link or anchor fails it.",
    )
    site.add_argument(
        "packages",
        nargs="*",
        metavar="PACKAGE",
        help="a target's package name from [tool.clientgen], or the folder of a project clientgen "
        "generated (default: every target)",
    )
    site.add_argument(
        "--output",
        default="site",
        help="the folder that receives one site per package, in <output>/<package>/ (default: %(default)s)",
    )
    site.add_argument(
        "--config",
        default="pyproject.toml",
        help="the pyproject.toml naming the targets (default: %(default)s)",
    )
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only warnings and errors (no progress, no summary)",
    )
    loudness.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print each phase's wall time (load, validate, model, render, format, write)",
    )


class _Progress:
    """Where each target's build is: on a terminal one live line per target (its phase and counts),
    replaced by the summary. Elsewhere (CI logs) only the summary, a plain line, unless ``--verbose`` asks
    for one plain line per phase as it starts (so an error stays the one line it is). Progress goes to
    stderr, the summaries (and ``--verbose``'s timings) to stdout."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.live = not quiet and sys.stderr.isatty()
        self._shown = False

    def phases(self, target: Target) -> Phases:
        from .phases import Phases

        if self.quiet or not (self.live or self.verbose):
            return Phases()
        return Phases(lambda phase, counts: self._phase(target, phase, counts))

    def _phase(self, target: Target, phase: str, counts: dict[str, int]) -> None:
        shown = [
            f"{counts[k]} {k}" for k in ("operations", "models", "files") if k in counts
        ]
        line = f"{target.package}: {phase}" + (
            f" ({', '.join(shown)})" if shown else ""
        )
        if self.live:
            width = shutil.get_terminal_size().columns - 1
            sys.stderr.write(f"\r\x1b[K{line[:width]}")
            self._shown = True
        else:
            sys.stderr.write(f"{line}\n")
        sys.stderr.flush()

    def clear(self) -> None:
        """Take the live line away (before a summary, a warning or an error is printed)."""
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._shown = False

    def summary(self, target: Target, result: BuildResult, phases: Phases) -> None:
        self.clear()
        if not self.quiet:
            _report(target, result)
            if self.verbose:
                for phase, seconds in phases.times.items():
                    print(f"  {phase:<9} {seconds:7.3f} s")
        else:
            _print_problems(result.warnings, prefix="warning")
        sys.stdout.flush()


def _print_problems(problems: Sequence[Problem], *, prefix: str = "error") -> None:
    for problem in problems:
        print(
            f"{problem} [{prefix}]" if prefix == "warning" else str(problem),
            file=sys.stderr,
        )


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        data = {
            k: _jsonable(v) for k, v in asdict(value).items() if not k.startswith("_")
        }
        return {"kind": type(value).__name__, **data} if "kind" not in data else data
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _report(target: Target, result: BuildResult) -> None:
    c = result.changes
    if result.skipped:
        status = "unchanged, nothing rendered"
    elif c.any:
        status = (
            f"{len(c.added)} added, {len(c.changed)} changed, {len(c.removed)} removed"
        )
    else:
        status = "up to date"
    verdict = f", verdict: {result.verdict}" if result.verdict is not None else ""
    print(f"{target.package}: {status} ({result.seconds:.2f}s{verdict})")
    _print_problems(result.warnings, prefix="warning")


def _cmd_build(args: argparse.Namespace) -> int:
    from .diff.release import ReleaseError

    targets = load_targets(Path(args.config))
    if args.watch:
        if args.check:
            raise ConfigError("--watch and --check do not go together")
        return _watch(args, targets)
    progress = _Progress(quiet=args.quiet, verbose=args.verbose)
    stale = False
    refused = False
    for target in targets:
        try:
            stale = _build_one(args, target, progress) or stale
        except ReleaseError as exc:
            # The version gate: this target is not written; the others still are.
            progress.clear()
            print(f"error: {exc}", file=sys.stderr)
            refused = True
        except BaseException:
            progress.clear()
            raise
    if stale:
        print(
            "run `clientgen build` (or `make generate`) and commit the result",
            file=sys.stderr,
        )
    return 1 if stale or refused else 0


def _build_one(args: argparse.Namespace, target: Target, progress: _Progress) -> bool:
    """Build or check one target; True when ``--check`` finds it stale."""
    from .build import build_target, check_target

    if args.check:
        return _report_check(
            target, check_target(target, lenient=args.lenient), quiet=args.quiet
        )
    phases = progress.phases(target)
    result = build_target(target, force=args.force, lenient=args.lenient, phases=phases)
    progress.summary(target, result, phases)
    return False


def _watch(args: argparse.Namespace, targets: list[Target]) -> int:
    """``build --watch``: build every target, then each target again when its inputs change, until
    interrupted. A build that fails (a broken save, a refused output) prints why and leaves the last good
    output in place; the next change builds again."""
    from .build import save_cache, saved_cache
    from .watch import rebuilds

    progress = _Progress(quiet=args.quiet, verbose=args.verbose)
    # Kept in memory between builds; the first starts from what the last build left in the output.
    caches = {target.package: saved_cache(target) for target in targets}

    def ready(files: int) -> None:
        print(
            f"watching {files} file(s) of {len(targets)} target(s); Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )

    # Stopped by Ctrl-C or a SIGTERM (a supervisor, a test), the watch leaves its render caches in the
    # outputs (``.clientgen-renders``), so that the next ``build`` or ``generate`` starts warm.
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    handler = signal.signal(signal.SIGTERM, interrupt)
    try:
        _watch_loop(args, targets, progress, caches, ready, rebuilds)
    finally:
        signal.signal(signal.SIGTERM, handler)
        for target in targets:
            save_cache(target, caches[target.package])
    return 0


def _watch_loop(
    args: argparse.Namespace,
    targets: list[Target],
    progress: _Progress,
    caches: dict[str, RenderCache],
    ready: Callable[[int], None],
    rebuilds: Callable[..., Iterator[list[Target]]],
) -> None:
    from .diff.release import ReleaseError

    for chosen in rebuilds(targets, ready=ready):
        for target in chosen:
            try:
                _watch_one(args, target, progress, caches[target.package])
            except SpecError as exc:
                progress.clear()
                _print_problems(exc.errors)
                print(
                    f"{target.package}: not rebuilt; the previous output is kept",
                    file=sys.stderr,
                )
            except (ReleaseError, ConfigError, OutputError, OSError) as exc:
                progress.clear()
                print(f"error: {exc}", file=sys.stderr)
                print(
                    f"{target.package}: not rebuilt; the previous output is kept",
                    file=sys.stderr,
                )
            except (
                Exception
            ) as exc:  # a generator bug met mid-edit must not end the session
                progress.clear()
                print(
                    f"error: {target.package}: the build failed ({type(exc).__name__}: {exc}); "
                    "the previous output is kept",
                    file=sys.stderr,
                )
            sys.stderr.flush()


def _watch_one(
    args: argparse.Namespace, target: Target, progress: _Progress, cache: RenderCache
) -> None:
    from .build import build_target, release_last_build

    phases = progress.phases(target)
    try:
        result = build_target(
            target,
            force=args.force,
            lenient=args.lenient,
            phases=phases,
            watching=True,
            cache=cache,
        )
        progress.summary(target, result, phases)
        sys.stdout.flush()
    finally:
        release_last_build()  # after the summary: the user waits for that, not for the freeing


def _report_check(target: Target, result: CheckResult, *, quiet: bool = False) -> bool:
    """Print what ``build --check`` found (with ``quiet``, nothing when it is up to date); True when the
    output is stale."""
    for path in result.foreign:
        print(
            f"note: {path} was not written by clientgen (kept, not checked)",
            file=sys.stderr,
        )
    if result.diff:
        print(f"{target.package}: generated/ is stale", file=sys.stderr)
        print(result.diff, end="")
        return True
    if not quiet:
        print(f"{target.package}: up to date")
    return False


def _cmd_generate(args: argparse.Namespace) -> int:
    from .build import build_target

    target = make_target(
        args.spec, args.package, args.library, args.package_version, Path(args.output)
    )
    progress = _Progress(quiet=args.quiet, verbose=args.verbose)
    phases = progress.phases(target)
    try:
        result = build_target(
            target, force=True, lenient=args.lenient, incremental=False, phases=phases
        )
    finally:
        progress.clear()
    progress.summary(target, result, phases)
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = False
    for spec in args.specs:
        try:
            api = load_api(Path(spec), lenient=args.lenient)
        except SpecError as exc:
            _print_problems(exc.errors)
            failed = True
            continue
        _print_problems(api.warnings, prefix="warning")
        print(
            f"{spec}: valid ({len(api.operations)} operations, {len(api.models)} models)"
        )
    return 1 if failed else 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from .diff import SourceError, diff_specs

    try:
        result = diff_specs(
            args.old,
            args.new,
            package=args.package,
            library=args.library,
            lenient=args.lenient,
        )
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for spec, count in zip((args.old, args.new), result.warnings, strict=True):
        if count:
            print(f"{spec}: {count} problem(s) tolerated by --lenient", file=sys.stderr)
    report = result.report
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.text(), end="")
    if args.fail_on == "breaking" and report.breaking:
        return 1
    return 0


def _cmd_model(args: argparse.Namespace) -> int:
    api = load_api(Path(args.spec), lenient=args.lenient)
    data = _jsonable(api)
    data["warnings"] = [str(w) for w in api.warnings]
    print(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))
    return 0


def _site_projects(args: argparse.Namespace) -> list[SiteProject]:
    """The projects ``docs-site`` builds: the named targets (or every one), or generated project folders."""
    from .docs_site import SiteProject, project_from_folder

    targets: dict[str, Target] | None = None
    projects = []
    for name in args.packages or [None]:
        if name is not None and Path(name).is_dir():
            projects.append(project_from_folder(Path(name)))
            continue
        if targets is None:
            targets = {t.package: t for t in load_targets(Path(args.config))}
        if name is None:
            chosen = list(targets.values())
        elif name in targets:
            chosen = [targets[name]]
        else:
            raise ConfigError(
                f"{name!r} is neither a target of {args.config} ({', '.join(targets)}) nor a folder"
            )
        for target in chosen:
            assert target.output is not None  # load_targets sets it
            projects.append(SiteProject(target.package, target.output))
    return projects


def _cmd_docs_site(args: argparse.Namespace) -> int:
    from .docs_site import build_site

    output = Path(args.output)
    for project in _site_projects(args):
        started = time.perf_counter()
        build_site(project, output / project.package)
        seconds = time.perf_counter() - started
        print(f"{project.package}: {output / project.package} ({seconds:.2f}s)")
    return 0


def run() -> None:
    """The ``clientgen`` command (and ``python -m generator``): :func:`main`, then the process ends at once,
    its output flushed, without freeing the heap object by object at interpreter exit (a large API's build
    leaves millions of objects: a second on a busy machine). Every file was written and closed by then.
    """
    try:
        code = main()
    except SystemExit as exc:  # argparse's --help and usage errors
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        handler = {
            "build": _cmd_build,
            "generate": _cmd_generate,
            "validate": _cmd_validate,
            "model": _cmd_model,
            "diff": _cmd_diff,
            "docs-site": _cmd_docs_site,
        }[args.command]
        return handler(args)
    except SpecError as exc:
        _print_problems(exc.errors)
        return 1
    except (ConfigError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # The output cannot be written (a file where a folder should be, a full disk, …).
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            f"error: cannot write the output: {where}{exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous output is intact", file=sys.stderr)
        return 130
