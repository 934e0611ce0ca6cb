"""The command line: the only module that prints or sets an exit status."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
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
    print(f"{target.package}: {status} ({result.seconds:.2f}s)")
    _print_problems(result.warnings, prefix="warning")


def _cmd_build(args: argparse.Namespace) -> int:
    from .diff.release import ReleaseError

    targets = load_targets(Path(args.config))
    stale = False
    refused = False
    for target in targets:
        try:
            stale = _build_one(args, target) or stale
        except ReleaseError as exc:
            # The version gate: this target is not written; the others still are.
            print(f"error: {exc}", file=sys.stderr)
            refused = True
    if stale:
        print(
            "run `clientgen build` (or `make generate`) and commit the result",
            file=sys.stderr,
        )
    return 1 if stale or refused else 0


def _build_one(args: argparse.Namespace, target: Target) -> bool:
    from .build import build_target, check_target

    """Build or check one target; True when ``--check`` finds it stale."""
    if args.check:
        return _report_check(target, check_target(target, lenient=args.lenient))
    _report(target, build_target(target, force=args.force, lenient=args.lenient))
    return False


def _report_check(target: Target, result: CheckResult) -> bool:
    """Print what ``build --check`` found; True when the output is stale."""
    for path in result.foreign:
        print(
            f"note: {path} was not written by clientgen (kept, not checked)",
            file=sys.stderr,
        )
    if result.diff:
        print(f"{target.package}: generated/ is stale", file=sys.stderr)
        print(result.diff, end="")
        return True
    print(f"{target.package}: up to date")
    return False


def _cmd_generate(args: argparse.Namespace) -> int:
    from .build import build_target

    target = make_target(
        args.spec, args.package, args.library, args.package_version, Path(args.output)
    )
    _report(
        target,
        build_target(target, force=True, lenient=args.lenient, incremental=False),
    )
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
