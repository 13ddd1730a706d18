"""End-to-end throughput and latency of MigAssist: ``python -m benchmarks.e2e``.

Starts a real server process (SQLite in a temporary directory, or a throwaway PostgreSQL), then
for each concurrency level runs the load generator in a second process on loopback and prints
one line of figures — with the CPU the load generator and the server used, as a share of one
core (100% = one core busy) — plus the server's resident memory. Bounded: each level runs for
``--duration`` seconds after ``--warmup``.

    python -m benchmarks.e2e --db sqlite --channel rest --concurrency 1,8,32 --duration 10
    python -m benchmarks.e2e --db postgres --channel whatsapp
    python -m benchmarks.e2e --compare-rasa      # then the same load against the Rasa 3.6 peer

With ``--compare-rasa`` the REST load is repeated against a Rasa server (``benchmarks.rasa_peer``)
and each level prints MigAssist/Rasa throughput and p99 ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks import rasa_peer
from benchmarks.postgres import ThrowawayPostgres
from benchmarks.server import ROOT, free_port, group_cpu_seconds, rss_mib, start_migassist, stop

WHATSAPP_APP_SECRET = "bench-app-secret"


def run_load(
    url: str,
    kind: str,
    concurrency: int,
    duration: float,
    warmup: float,
    graph_port: int = 0,
    server_group: int = 0,
    statuses: bool = False,
) -> dict[str, Any]:
    """Run ``benchmarks.loadgen`` in its own process and return its figures, with the CPU used
    meanwhile by the load generator and (``server_group``: its process group) by the server, as
    a share of one core over the whole run (warm-up included). ``statuses``: the fake Graph API
    reports every reply's statuses to the webhook (WhatsApp)."""
    command = [
        sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--kind", kind,
        "--concurrency", str(concurrency), "--duration", str(duration), "--warmup", str(warmup),
        "--graph-port", str(graph_port), "--app-secret", WHATSAPP_APP_SECRET,
    ] + (["--statuses"] if statuses else [])
    started, server_before = time.monotonic(), group_cpu_seconds(server_group) if server_group else 0.0
    children_before = _children_cpu_seconds()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=duration + warmup + 120)
    elapsed = time.monotonic() - started
    figures = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    figures["loadgen_cpu_pct"] = 100 * (_children_cpu_seconds() - children_before) / elapsed
    if server_group:
        figures["server_cpu_pct"] = 100 * (group_cpu_seconds(server_group) - server_before) / elapsed
    return figures


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def format_row(label: str, figures: dict[str, Any]) -> str:
    cpu = f"  cpu: loadgen {figures['loadgen_cpu_pct']:.0f}%"
    if "server_cpu_pct" in figures:
        cpu += f" server {figures['server_cpu_pct']:.0f}%"
    statuses = f" statuses={figures['statuses_posted']} (errors {figures['status_errors']})" if "statuses_posted" in figures else ""
    return (
        f"{label:<28} c={figures['concurrency']:<4} {figures['msg_per_s']:>8.1f} msg/s  "
        f"p50 {figures['p50_ms']:>7.1f} ms  p99 {figures['p99_ms']:>7.1f} ms  max {figures['max_ms']:>7.1f} ms  "
        f"n={figures['messages']} errors={figures['errors']} empty={figures['empty_answers']}{statuses}{cpu}"
    )


def server_environment(db: str, channel: str, stack: ExitStack, graph_port: int) -> dict[str, str]:
    env: dict[str, str] = {}
    if db == "postgres":
        pg = stack.enter_context(ThrowawayPostgres())
        env["MIGASSIST_DATABASE_URL"] = pg.create_database("bench")
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=ROOT, env={**env, **_path_env()},
            check=True, capture_output=True,
        )
    if channel == "whatsapp":
        env.update(
            MIGASSIST_WHATSAPP__ENABLED="true",
            MIGASSIST_WHATSAPP__BASE_URL=f"http://127.0.0.1:{graph_port}",
            MIGASSIST_WHATSAPP__PHONE_NUMBER_ID="bench-phone",
            MIGASSIST_WHATSAPP_TOKEN="bench-token",
            MIGASSIST_WHATSAPP_APP_SECRET=WHATSAPP_APP_SECRET,
            MIGASSIST_WHATSAPP_VERIFY_TOKEN="bench-verify",
        )
    return env


def _path_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "")}


def main() -> None:
    parser = argparse.ArgumentParser(description="End-to-end throughput/latency of MigAssist.")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--channel", choices=("rest", "whatsapp"), default="rest")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated levels (default 1,8,32)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per level (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per level (default 2)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--compare-rasa", action="store_true", help="repeat the REST load against Rasa 3.6")
    parser.add_argument(
        "--statuses", action="store_true", help="the fake Graph API reports sent and delivered for every reply (whatsapp)"
    )
    args = parser.parse_args()
    if args.compare_rasa and args.channel != "rest":
        parser.error("--compare-rasa needs --channel rest (Rasa serves the same REST format)")
    if args.statuses and args.channel != "whatsapp":
        parser.error("--statuses needs --channel whatsapp")
    levels = [int(c) for c in args.concurrency.split(",")]
    ours: dict[int, dict[str, Any]] = {}

    graph_port = free_port()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="migassist-bench-") as tmp:
        env = server_environment(args.db, args.channel, stack, graph_port)
        port = free_port()
        server = start_migassist(port, Path(tmp) / "data", env, workers=args.workers)
        stack.callback(stop, server)
        url = f"http://127.0.0.1:{port}"
        label = f"migassist {args.channel}/{args.db}" + (f" x{args.workers}" if args.workers > 1 else "")
        label += " +st" if args.statuses else ""
        print(f"# {label}: {args.duration:g} s per level after {args.warmup:g} s warm-up", flush=True)
        for level in levels:
            ours[level] = run_load(url, args.channel, level, args.duration, args.warmup, graph_port, server.pid, args.statuses)
            print(format_row(label, ours[level]), flush=True)
        if args.workers == 1:
            current, peak = rss_mib(server.pid)
            print(f"# server RSS {current:.0f} MiB (peak {peak:.0f} MiB)", flush=True)
        stop(server)
    if args.compare_rasa:
        compare_with_rasa(levels, ours, args.duration, args.warmup)


def compare_with_rasa(levels: list[int], ours: dict[int, dict[str, Any]], duration: float, warmup: float) -> None:
    """Run the same REST load against the Rasa peer and print ratios per concurrency level."""
    port = free_port()
    rasa = rasa_peer.start(port)
    try:
        print(f"# rasa 3.6 rest (model {rasa_peer.model_path().name})", flush=True)
        for level in levels:
            theirs = run_load(f"http://127.0.0.1:{port}", "rest", level, duration, warmup, server_group=rasa.pid)
            print(format_row("rasa rest", theirs), flush=True)
            throughput = ours[level]["msg_per_s"] / theirs["msg_per_s"] if theirs["msg_per_s"] else float("inf")
            print(
                f"# c={level}: MigAssist/Rasa throughput x{throughput:.1f}; "
                f"p99 {ours[level]['p99_ms']:.1f} ms vs {theirs['p99_ms']:.1f} ms",
                flush=True,
            )
        current, peak = rss_mib(rasa.pid)
        print(f"# rasa RSS {current:.0f} MiB (peak {peak:.0f} MiB)", flush=True)
    finally:
        stop(rasa)


if __name__ == "__main__":
    main()
