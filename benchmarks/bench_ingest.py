"""Ingest benchmark: our CLI vs ``twarc2 csv`` (twarc-csv) vs a bare orjson parse.

    python benchmarks/bench_ingest.py            # 1,000,000 tweets (make bench)
    python benchmarks/bench_ingest.py --n 200000 # a few minutes

Generates a seeded twarc2 ``search`` export (API v2 pages of 100 tweets, realistic fields, about
3 KB per tweet including each page's share of ``includes``) under benchmarks/out/ (git-ignored),
then runs, one after the other on the same file:

(a) ``python -m tweetstorm.ingest FILE -o OUT.parquet`` (both cores: byte-range chunks);
(b) ``twarc2 csv FILE OUT.csv`` from twarc-csv, in its own venv benchmarks/out/twarc-venv
    (created on first use: ``pip install twarc twarc-csv "pandas<3"``);
(c) a bare single-process orjson parse of every line (the floor of any JSON reader).

For each: wall time, throughput (tweets/s) and peak memory: the peak of the summed RSS of the
process and all its children (sampled from /proc every 50 ms) and the largest single process
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``). The two fast runs (a) and (c) are repeated
(``--repeat``, default 2) and the fastest time is kept (the largest memory): on a shared machine
the load of other jobs only ever slows a run down. The 1-minute load average before each run is
recorded, to show how busy the machine was. Prints a table and writes benchmarks/out/ingest.json
(no timestamps; figures vary with the machine and its load).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VENV = OUT / "twarc-venv"
WORDS = ("learning network personal research teachers feedback ideas papers conference open "
         "education online community practice reflection twitter colleagues tools students "
         "knowledge sharing curiosity motivation goals outcomes mentor blog podcast").split()
TAGS = ["PLNstorm", "edtech", "PhD", "OpenEd", "lrnchat", "AcademicTwitter", "MOOC"]
DOMAINS = [("46", "Business Taxonomy", "Category of Business brands"),
           ("65", "Interests and Hobbies Vertical", "Top level interests and hobbies groupings"),
           ("66", "Interests and Hobbies Category", "A grouping of interests and hobbies entities"),
           ("131", "Unified Twitter Taxonomy", "A taxonomy of user interests.")]


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


def _user(rng: random.Random, uid: int) -> dict:
    name = f"user{uid}"
    return {"id": str(uid), "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}",
            "username": name, "created_at": _iso(1.2e9 + uid % 3e8), "protected": False,
            "verified": False, "verified_type": "none", "location": "Heerlen, Nederland",
            "description": " ".join(rng.choice(WORDS) for _ in range(8)) + " #" + rng.choice(TAGS),
            "url": "https://t.co/" + f"{uid:010d}", "profile_image_url":
            f"https://pbs.twimg.com/profile_images/{uid}/avatar_normal.jpg",
            "public_metrics": {"followers_count": uid % 5000, "following_count": uid % 700,
                               "tweet_count": uid % 90000, "listed_count": uid % 90},
            "entities": {"url": {"urls": [{"start": 0, "end": 23, "url": "https://t.co/" + f"{uid:010d}",
                                           "expanded_url": f"https://example.org/~{name}",
                                           "display_url": f"example.org/~{name}"}]}}}


def _tweet(rng: random.Random, tid: int, ts: float, author: int, users: list[int]) -> dict:
    tag = rng.choice(TAGS)
    mention = rng.choice(users[:50])  # a few people are mentioned a lot
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30)))
    short = f"https://t.co/{tid % 10**10:010d}"
    text = f"@user{mention} A{rng.randint(1, 4)}: {words} &amp; more #{tag} #PLNstorm {short}"
    i_m, i_t = 0, text.index("#" + tag)
    t = {"edit_history_tweet_ids": [str(tid)], "id": str(tid), "text": text, "created_at": _iso(ts),
         "author_id": str(author), "conversation_id": str(tid), "lang": "en", "possibly_sensitive": False,
         "reply_settings": "everyone", "source": "Twitter Web App",
         "edit_controls": {"edits_remaining": 5, "is_edit_eligible": True, "editable_until": _iso(ts + 1800)},
         "public_metrics": {"retweet_count": rng.randint(0, 9), "reply_count": rng.randint(0, 5),
                            "like_count": rng.randint(0, 50), "quote_count": 0, "impression_count": rng.randint(0, 9999)},
         "entities": {
             "mentions": [{"start": i_m, "end": i_m + len(f"@user{mention}"), "username": f"user{mention}",
                           "id": str(mention)}],
             "hashtags": [{"start": i_t, "end": i_t + len(tag) + 1, "tag": tag},
                          {"start": text.index("#PLNstorm"), "end": text.index("#PLNstorm") + 9, "tag": "PLNstorm"}],
             "urls": [{"start": text.index(short), "end": text.index(short) + 23, "url": short,
                       "expanded_url": f"https://example.org/blog/{tid % 99991}/learning-networks",
                       "display_url": f"example.org/blog/{tid % 99991}/…", "status": 200,
                       "title": "Learning through networks: notes from a Tweetstorm",
                       "description": " ".join(rng.choice(WORDS) for _ in range(12)),
                       "unwound_url": f"https://example.org/blog/{tid % 99991}/learning-networks",
                       "images": [{"url": f"https://pbs.twimg.com/news_img/{tid}?format=jpg&name=orig",
                                   "width": 1200, "height": 630}]}],
             "annotations": [{"start": 5, "end": 12, "probability": 0.61, "type": "Other",
                              "normalized_text": rng.choice(WORDS)}]},
         "context_annotations": [{"domain": {"id": d, "name": n, "description": desc},
                                  "entity": {"id": str(10**17 + rng.randint(0, 10**6)),
                                             "name": rng.choice(WORDS).title(),
                                             "description": " ".join(rng.choice(WORDS) for _ in range(4))}}
                                 for d, n, desc in rng.sample(DOMAINS, 1)]}
    return t


def generate(path: Path, n: int, seed: int = 20130701) -> None:
    """Write ``n`` tweets as twarc2 search pages of 100 (newest first), seeded."""
    rng = random.Random(seed)
    users = list(range(10_000_000, 10_000_000 + 20_000))
    t0 = 1.6788e9
    tid = 1635641931986031091
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        done = 0
        while done < n:
            size = min(100, n - done)
            data, inc_tweets, page_users = [], [], set()
            for k in range(size):
                tid += rng.randint(1 << 22, 1 << 30)
                ts = t0 + (done + k) * 0.05
                author = rng.choice(users[:400] if rng.random() < 0.6 else users)
                t = _tweet(rng, tid, ts, author, users)
                page_users.update((author, int(t["entities"]["mentions"][0]["id"])))
                r = rng.random()
                if r < 0.35:  # retweet: v2 text "RT @user: ..." truncated, original in includes
                    orig = _tweet(rng, tid - 7, ts - 3600, rng.choice(users), users)
                    inc_tweets.append(orig)
                    page_users.add(int(orig["author_id"]))
                    t["text"] = f"RT @user{orig['author_id']}: " + orig["text"][:110] + "…"
                    t["referenced_tweets"] = [{"type": "retweeted", "id": orig["id"]}]
                elif r < 0.5:  # reply
                    parent = rng.choice(users)
                    t["in_reply_to_user_id"] = str(parent)
                    t["referenced_tweets"] = [{"type": "replied_to", "id": str(tid - 11)}]
                    t["conversation_id"] = str(tid - 11)
                    page_users.add(parent)
                data.append(t)
            data.reverse()
            page = {"data": data,
                    "includes": {"users": [_user(rng, u) for u in sorted(page_users)], "tweets": inc_tweets},
                    "meta": {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"], "result_count": size,
                             "next_token": f"b26v89c19zqg8o3f{done:08d}"},
                    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?query=%23PLNstorm",
                                "version": "2.14.0", "retrieved_at": "2023-03-15T10:00:00+00:00"}}
            fh.write(orjson.dumps(page) + b"\n")
            done += size


def _tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of ``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parts = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(parts[1]), []).append(int(entry))
            rss[int(entry)] = int(parts[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack += children.get(p, [])
    return total


def measure(cmd: list[str], env: dict | None = None, repeat: int = 1) -> dict:
    """Run ``cmd`` ``repeat`` times, each in a fresh wrapper process: the fastest wall seconds,
    the largest peak tree RSS and max single RSS, every time and the load average before each."""
    wrapper = [sys.executable, __file__, "--_measure", "--", *cmd]
    runs = []
    for _ in range(repeat):
        load = os.getloadavg()[0]
        out = subprocess.run(wrapper, capture_output=True, text=True, env=env, cwd=OUT)  # twarc.log lands in out/
        if out.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]) | {"load": load})
    return {"seconds": min(r["seconds"] for r in runs),
            "peak_tree_rss": max(r["peak_tree_rss"] for r in runs),
            "max_process_rss": max(r["max_process_rss"] for r in runs),
            "all_seconds": [round(r["seconds"], 2) for r in runs],
            "load_before": [round(r["load"], 2) for r in runs]}


def _measure_child(cmd: list[str]) -> None:
    import tempfile

    errfile = tempfile.TemporaryFile()  # not a pipe: a chatty progress bar must not block the child
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errfile)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.05)
    errfile.seek(0)
    err = errfile.read().decode(errors="replace")[-3000:]
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(err)
        raise SystemExit(proc.returncode)
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"seconds": wall, "peak_tree_rss": max(peak, single), "max_process_rss": single}))


def ensure_twarc_venv() -> Path:
    twarc2 = VENV / "bin" / "twarc2"
    if not twarc2.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "twarc", "twarc-csv", "pandas<3"], check=True)
    return twarc2


BARE = ("import orjson,sys\nn=0\nfor line in open(sys.argv[1],'rb'):\n"
        "    n+=len(orjson.loads(line).get('data',()))\nprint(n)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="tweets to generate (default 1,000,000)")
    ap.add_argument("--skip-twarc-csv", action="store_true", help="do not run twarc-csv")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--repeat", type=int, default=2, help="runs of ours and of the bare parse (fastest kept)")
    args = ap.parse_args()
    src = OUT / f"twarc2_{args.n}.jsonl"
    if args.regenerate or not src.exists():
        t = time.perf_counter()
        generate(src, args.n)
        print(f"generated {src.name}: {src.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    size = src.stat().st_size
    runs: dict[str, dict] = {}
    env = dict(os.environ)
    runs["tweetstorm.ingest -> parquet"] = measure(
        [sys.executable, "-m", "tweetstorm.ingest", str(src), "-o", str(OUT / "ingest.parquet")], env, args.repeat)
    runs["bare orjson parse"] = measure([sys.executable, "-c", BARE, str(src)], repeat=args.repeat)
    if not args.skip_twarc_csv:
        twarc2 = ensure_twarc_venv()
        runs["twarc2 csv (twarc-csv)"] = measure([str(twarc2), "--bearer-token", "unused", "csv", str(src), str(OUT / "twarc.csv")])
    import pyarrow.parquet as pq
    rows = pq.read_metadata(OUT / "ingest.parquet").num_rows
    result = {"tweets": args.n, "file_bytes": size, "bytes_per_tweet": round(size / args.n),
              "cpus": os.cpu_count(), "parquet_rows": rows, "runs": {}}
    print(f"\n{args.n:,} tweets, {size / 1e9:.2f} GB ({size / args.n:.0f} B/tweet), {os.cpu_count()} CPUs")
    print(f"{'run':32} {'seconds':>8} {'tweets/s':>10} {'peak RSS (tree)':>16} {'max proc RSS':>13}  load before")
    for name, r in runs.items():
        tps = args.n / r["seconds"]
        result["runs"][name] = {"seconds": round(r["seconds"], 2), "tweets_per_s": round(tps),
                                "peak_tree_rss_mib": round(r["peak_tree_rss"] / 2**20),
                                "max_process_rss_mib": round(r["max_process_rss"] / 2**20),
                                "all_seconds": r["all_seconds"], "load_before": r["load_before"]}
        print(f"{name:32} {r['seconds']:8.1f} {tps:10,.0f} {r['peak_tree_rss'] / 2**20:12,.0f} MiB"
              f" {r['max_process_rss'] / 2**20:9,.0f} MiB  {r['load_before']}")
    ours = runs["tweetstorm.ingest -> parquet"]["seconds"]
    result["slowdown_vs_bare_orjson"] = round(ours / runs["bare orjson parse"]["seconds"], 2)
    if "twarc2 csv (twarc-csv)" in runs:
        result["speedup_vs_twarc_csv"] = round(runs["twarc2 csv (twarc-csv)"]["seconds"] / ours, 1)
    peak = runs["tweetstorm.ingest -> parquet"]["peak_tree_rss"] / 2**20
    result["targets"] = {"peak_tree_rss_mib_under_1024": peak < 1024,
                         "within_3x_bare_orjson": result["slowdown_vs_bare_orjson"] <= 3}
    if "speedup_vs_twarc_csv" in result:
        result["targets"]["at_least_10x_twarc_csv"] = result["speedup_vs_twarc_csv"] >= 10
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    (OUT / "ingest.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--_measure":
        _measure_child(sys.argv[3:])
    else:
        main()
