"""Benchmark workers: each runs in a fresh process and prints one JSON object on stdout.

``python benchmarks/clients.py overhead KIND --port P --calls N [--concurrency C]``
    calls per second of a small GET (``/assets/{asset}`` → ``Asset``) and a JSON POST (``/assets/create``,
    ``Seed`` → ``Asset``) against the loopback server. KIND: raw-urllib3, ours-sync, oag-sync, raw-aiohttp,
    ours-asyncio, oag-asyncio. The raw kinds do what a hand-written call does: send, read, ``json.loads``.
``python benchmarks/clients.py models KIND --payload FILE --repeats R``
    median seconds to parse the ``Assets`` JSON into models and to serialise it back. KIND: ours, oag.
``python benchmarks/clients.py upload --port P --file FILE``
    peak RSS of our asyncio client uploading FILE as multipart, against the RSS of the idle client.

Packages are found on ``sys.path`` (the caller sets PYTHONPATH): ``pieces_os_client`` (ours, sync),
``pieces_os_asyncio`` (ours, asyncio), ``oag_pieces_sync`` / ``oag_pieces_asyncio`` (OpenAPI Generator)
and ``asana_asyncio`` (ours, for the upload).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ASSET_ID = "2254f2c8-5797-40e8-ac56-41166dc0e159"
_HERE = Path(__file__).resolve().parent


def _seed_body() -> dict[str, Any]:
    import random

    import yaml

    sys.path.insert(0, str(_HERE))
    import payload

    spec = yaml.safe_load(
        (_HERE.parent / "specs" / "pieces_os.yaml").read_text(encoding="utf-8")
    )
    return payload.instance(
        spec, "Seed", random.Random(7), optional_depth=2, array_items=1
    )  # type: ignore[no-any-return]


def _rate(fn: Callable[[], Any], calls: int) -> tuple[float, float]:
    """(calls per second, client CPU microseconds per call), after a warm-up."""
    for _ in range(min(200, calls)):  # warm-up: connections, imports, schema builds
        fn()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (
        calls / (time.perf_counter() - start),
        (time.process_time() - cpu) / calls * 1e6,
    )


async def _arate(
    fn: Callable[[], Awaitable[Any]], calls: int, concurrency: int
) -> tuple[float, float]:
    async def worker(n: int) -> None:
        for _ in range(n):
            await fn()

    async def run(total: int) -> None:
        share, extra = divmod(total, concurrency)
        await asyncio.gather(*(worker(share + (i < extra)) for i in range(concurrency)))

    await run(min(200, calls) if concurrency == 1 else max(concurrency * 2, 200))
    start, cpu = time.perf_counter(), time.process_time()
    await run(calls)
    return (
        calls / (time.perf_counter() - start),
        (time.process_time() - cpu) / calls * 1e6,
    )


def _result(get: tuple[float, float], post: tuple[float, float]) -> dict[str, float]:
    return {
        "get": get[0],
        "post": post[0],
        "get_cpu_us": get[1],
        "post_cpu_us": post[1],
    }


def _sync_calls(
    kind: str, base: str, seed: dict[str, Any]
) -> tuple[Callable[[], Any], Callable[[], Any], Any]:
    if kind == "raw-urllib3":
        import urllib3

        pool = urllib3.PoolManager()
        body = json.dumps(seed).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        get_url, post_url = f"{base}/assets/{ASSET_ID}", f"{base}/assets/create"

        def get() -> Any:
            return json.loads(
                pool.request(
                    "GET", get_url, headers={"Accept": "application/json"}
                ).data
            )

        def post() -> Any:
            return json.loads(
                pool.request(
                    "POST", post_url, body=json.dumps(seed).encode(), headers=headers
                ).data
            )

        del body
        return get, post, pool
    if kind == "ours-sync":
        from pieces_os_client import ApiClient, AssetsApi, Configuration, Seed

        client = ApiClient(Configuration(host=base))
        ours = AssetsApi(client)
        model = Seed.from_dict(seed)
        return (
            (lambda: ours.assets_specific_asset_snapshot(ASSET_ID)),
            (lambda: ours.assets_create_new_asset(seed=model)),
            client,
        )
    if kind == "oag-sync":
        import oag_pieces_sync as oag

        oclient = oag.ApiClient(oag.Configuration(host=base))
        theirs = oag.AssetsApi(oclient)
        omodel = oag.Seed.from_dict(seed)
        return (
            (lambda: theirs.assets_specific_asset_snapshot(ASSET_ID)),
            (lambda: theirs.assets_create_new_asset(seed=omodel)),
            oclient,
        )
    raise SystemExit(f"unknown sync client {kind!r}")


async def _async_overhead(
    kind: str, base: str, seed: dict[str, Any], calls: int, concurrency: int
) -> dict[str, float]:
    get: Callable[[], Awaitable[Any]]
    post: Callable[[], Awaitable[Any]]
    closer: Callable[[], Awaitable[Any]]
    if kind == "raw-aiohttp":
        import aiohttp

        session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        get_url, post_url = f"{base}/assets/{ASSET_ID}", f"{base}/assets/create"

        async def get() -> Any:
            async with session.get(
                get_url, headers={"Accept": "application/json"}
            ) as r:
                return json.loads(await r.read())

        async def post() -> Any:
            async with session.post(
                post_url, data=json.dumps(seed).encode(), headers=headers
            ) as r:
                return json.loads(await r.read())

        closer = session.close
    elif kind == "ours-asyncio":
        from pieces_os_asyncio import ApiClient, AssetsApi, Configuration, Seed

        client = ApiClient(Configuration(host=base))
        ours = AssetsApi(client)
        model = Seed.from_dict(seed)

        def get() -> Awaitable[Any]:
            return ours.assets_specific_asset_snapshot(ASSET_ID)

        def post() -> Awaitable[Any]:
            return ours.assets_create_new_asset(seed=model)

        closer = client.close
    elif kind == "ours-twin":
        # The asyncio twin of the sync package (library = "both"): AsyncApiClient, AsyncAssetsApi.
        import pieces_os_client as twin

        tclient = twin.AsyncApiClient(twin.Configuration(host=base))
        ours_twin = twin.AsyncAssetsApi(tclient)
        tmodel = twin.Seed.from_dict(seed)

        def get() -> Awaitable[Any]:
            return ours_twin.assets_specific_asset_snapshot(ASSET_ID)

        def post() -> Awaitable[Any]:
            return ours_twin.assets_create_new_asset(seed=tmodel)

        closer = tclient.close
    elif kind == "oag-asyncio":
        import oag_pieces_asyncio as oag

        oclient = oag.ApiClient(oag.Configuration(host=base))
        theirs = oag.AssetsApi(oclient)
        omodel = oag.Seed.from_dict(seed)

        def get() -> Awaitable[Any]:
            return theirs.assets_specific_asset_snapshot(ASSET_ID)

        def post() -> Awaitable[Any]:
            return theirs.assets_create_new_asset(seed=omodel)

        closer = oclient.close
    else:
        raise SystemExit(f"unknown asyncio client {kind!r}")
    try:
        return _result(
            await _arate(get, calls, concurrency),
            await _arate(post, calls, concurrency),
        )
    finally:
        await closer()


def overhead(
    kind: str, port: int, calls: int, concurrency: int = 1
) -> dict[str, float]:
    base = f"http://127.0.0.1:{port}"
    seed = _seed_body()
    if kind in ("raw-urllib3", "ours-sync", "oag-sync"):
        get, post, _keep = _sync_calls(kind, base, seed)
        return _result(_rate(get, calls), _rate(post, calls))
    return asyncio.run(_async_overhead(kind, base, seed, calls, concurrency))


def models(kind: str, payload: Path, repeats: int) -> dict[str, float]:
    data = payload.read_text(encoding="utf-8")
    if kind == "ours":
        from pieces_os_client.models.assets import Assets
    elif kind == "oag":
        from oag_pieces_sync.models.assets import Assets  # type: ignore[no-redef]
    else:
        raise SystemExit(f"unknown models kind {kind!r}")
    parse, dump = [], []
    obj = Assets.from_json(data)  # warm-up (builds deferred schemas)
    obj.to_json()
    for _ in range(repeats):
        t0 = time.perf_counter()
        obj = Assets.from_json(data)
        t1 = time.perf_counter()
        text = obj.to_json()
        t2 = time.perf_counter()
        parse.append(t1 - t0)
        dump.append(t2 - t1)
    if json.loads(text) != json.loads(data) and kind == "ours":
        raise SystemExit("our models did not round-trip the payload")
    return {
        "parse_s": statistics.median(parse),
        "serialise_s": statistics.median(dump),
        "bytes": len(data.encode()),
        "assets": len(obj.iterable),
    }


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def _high_water_bytes() -> int:
    """VmHWM: this process's peak RSS since exec (``ru_maxrss`` would also count the
    parent's pages copied at fork)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def upload(port: int, file: Path) -> dict[str, float]:
    from asana_asyncio import ApiClient, AttachmentsApi, Configuration

    async def run() -> dict[str, float]:
        async with ApiClient(Configuration(host=f"http://127.0.0.1:{port}")) as client:
            api = AttachmentsApi(client)
            await api.create_attachment_for_object(
                parent="12345", file=b"warm-up", name="w.bin"
            )  # imports, session
            idle = _rss_bytes()
            peak = idle
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _rss_bytes())
                    time.sleep(0.005)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            start = time.perf_counter()
            await api.create_attachment_for_object(
                parent="12345", file=str(file), name=file.name
            )
            seconds = time.perf_counter() - start
            done.set()
            sampler.join()
            high_water = _high_water_bytes()
            return {
                "idle_rss": idle,
                "peak_rss_sampled": max(peak, _rss_bytes()),
                "high_water_rss": high_water,  # kernel peak since exec: an upper bound
                "seconds": seconds,
                "file_bytes": file.stat().st_size,
            }

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    o = sub.add_parser("overhead")
    o.add_argument("kind")
    o.add_argument("--port", type=int, required=True)
    o.add_argument("--calls", type=int, default=2000)
    o.add_argument("--concurrency", type=int, default=1)
    m = sub.add_parser("models")
    m.add_argument("kind")
    m.add_argument("--payload", type=Path, required=True)
    m.add_argument("--repeats", type=int, default=5)
    u = sub.add_parser("upload")
    u.add_argument("--port", type=int, required=True)
    u.add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.what == "overhead":
        result: dict[str, Any] = overhead(
            args.kind, args.port, args.calls, args.concurrency
        )
    elif args.what == "models":
        result = models(args.kind, args.payload, args.repeats)
    else:
        result = upload(args.port, args.file)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
