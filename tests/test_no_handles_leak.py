"""With pseudonymisation on, no original handle reaches the outputs of `make all`.

The original handles are read straight from the raw files (independently of tweetstorm.ingest),
whatever the platform: users and mentions of a Twitter export, ``@handle``s in texts, Mastodon
accounts and mentions (qualified ``user@instance``), Bluesky profiles, and the participants and
``@``contacts of the participants and PLN files that ``data/raw/study.yml`` names. They are searched, case-insensitively, in the bytes of every file
under ``data/processed/`` (Parquet files also as decoded text, since their pages are compressed),
in the txt/csv/md/tex/svg files under ``results/`` and ``figures/`` and in the outputs of
``notebooks/*.ipynb``. A hit is a handle standing alone: not inside a longer word (``ann`` in
``planning``) and not a hashtag (``#plnstorm`` when an account is called ``plnstorm``).

Post ids that name an account are searched too: any ActivityPub address
``https://<instance>/users/<name>`` (a Mastodon status URI) and any Bluesky DID
(``did:plc:...``, ``did:web:...``, also inside ``at://`` URIs), whatever the export; and the post
ids of the raw export itself (tweet ids), which the outputs replace by study-local unit ids.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import orjson
import pyarrow.parquet as pq
import pytest

from tweetstorm import paths

TEXT_SUFFIXES = {".txt", ".csv", ".md", ".tex", ".svg"}
_AT_HANDLE = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_]+)")
#: Ids that embed an account: an ActivityPub account address or a DID.
EMBEDDED_ACCOUNT = re.compile(
    rb"(?i)https?://[a-z0-9.-]+/users/[a-z0-9_]+|(?<![a-z0-9_])did:(?:plc|web):[a-z0-9.%-]+")


def raw_post_ids(raw: Path) -> set[str]:
    """The ids of every post in the raw twarc2 export(s) of ``raw`` (data and included tweets)."""
    found: set[str] = set()
    for export in sorted(raw.glob("*.jsonl")):
        with export.open("rb") as fh:
            for line in fh:
                if line.strip():
                    page = orjson.loads(line)
                    included = (page.get("includes") or {}).get("tweets") or []
                    tweets = (page.get("data") or []) + included
                    found.update(str(t["id"]) for t in tweets if t.get("id"))
    return found


def _json_documents(raw: Path):
    """Every JSON document of the raw JSON/JSON Lines files under ``raw`` (any platform)."""
    for path in sorted(raw.rglob("*")):
        if not path.is_file() or path.suffix not in {".json", ".jsonl"}:
            continue
        data = path.read_bytes()
        try:
            yield orjson.loads(data)
            continue
        except orjson.JSONDecodeError:
            pass
        for line in data.splitlines():
            if line.strip():
                yield orjson.loads(line)


def _walk(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def raw_handles(raw: Path) -> set[str]:
    """Every handle named in the raw files of ``raw`` (lower-case, without ``@``).

    Read from the raw JSON itself, whatever the platform: Twitter ``username``s (users and
    mentions) and ``@handle``s in texts; Mastodon accounts and mentions (``acct``, qualified with
    the instance of their ``url`` when the export gives it local: ``ana`` -> ``ana@fedi.example``);
    Bluesky profiles (``handle`` beside a ``did``); and the participants and PLN files the study
    file names.
    """
    found: set[str] = set()
    for doc in _json_documents(raw):
        for d in _walk(doc):
            if isinstance(d.get("username"), str) and "acct" not in d:
                found.add(d["username"])  # a Twitter user or mention
            if isinstance(d.get("acct"), str):  # a Mastodon account or mention
                acct = d["acct"]
                host = urlsplit(d.get("url") or "").hostname
                found.add(acct if "@" in acct or not host else f"{acct}@{host}")
            if isinstance(d.get("handle"), str) and str(d.get("did", "")).startswith("did:"):
                found.add(d["handle"])  # a Bluesky profile
            if isinstance(d.get("text"), str) and "username" not in d:
                found.update(_AT_HANDLE.findall(d["text"]))
    from tweetstorm import study as study_file

    s = study_file.load(raw / "study.yml") if (raw / "study.yml").is_file() else None
    named = [(s.participants, ("handle",)), (s.pln, ("participant", "contact"))] if s else []
    for name, columns in named:
        path = paths.resolve(name) if name else None
        if path is None or not path.is_file():
            continue
        with path.open(newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for col in columns:
                    value = (row.get(col) or "").strip()
                    if col == "contact":
                        found.update(_AT_HANDLE.findall(value))
                    elif value:
                        found.add(value.lstrip("@"))
    return {h.lower() for h in found if h}


def handle_pattern(handles: set[str]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(h.encode()) for h in sorted(handles, key=lambda h: (-len(h), h)))
    return re.compile(rb"(?<![A-Za-z0-9_#])(?:" + alternatives + rb")(?![A-Za-z0-9_])", re.IGNORECASE)


def searchable(path: Path) -> list[bytes]:
    """The byte strings of ``path`` to search."""
    data = path.read_bytes()
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return [data, table.to_pandas().to_csv(index=False).encode()]
    if path.suffix == ".ipynb":
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        out = []
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                out.append(orjson.dumps(o))  # every mime type and stream, escaped as JSON
                for value in (o.get("data") or {}).values():  # and unescaped text
                    if isinstance(value, str):
                        out.append(value.encode())
                    elif isinstance(value, list):
                        out.append("".join(value).encode())
                if "text" in o:
                    out.append("".join(o["text"]).encode() if isinstance(o["text"], list)
                               else o["text"].encode())
        return out
    return [data]


def files_to_search(root: Path) -> list[Path]:
    files = [p for p in sorted((root / "data" / "processed").rglob("*")) if p.is_file()]
    for folder in ("results", "figures"):
        files += [p for p in sorted((root / folder).rglob("*"))
                  if p.is_file() and p.suffix in TEXT_SUFFIXES]
    files += sorted((root / "notebooks").glob("*.ipynb"))
    return files


def leaks(root: Path, handles: set[str], post_ids: set[str] = frozenset()) -> list[str]:
    """``file: handle`` for every handle, embedded-account id (:data:`EMBEDDED_ACCOUNT`) and
    raw post id (a whole number in ``post_ids``) found in the searched files under ``root``."""
    patterns = [EMBEDDED_ACCOUNT]
    if handles:
        patterns.append(handle_pattern(handles))
    if post_ids:
        ids = b"|".join(re.escape(i.encode()) for i in sorted(post_ids, key=lambda i: (-len(i), i)))
        patterns.append(re.compile(rb"(?<![A-Za-z0-9_])(?:" + ids + rb")(?![A-Za-z0-9_])"))
    hits = []
    for path in files_to_search(root):
        for blob in searchable(path):
            for pattern in patterns:
                for m in sorted({m.group(0).decode().lower() for m in pattern.finditer(blob)}):
                    hits.append(f"{path.relative_to(root).as_posix()}: {m}")
    return sorted(set(hits))


def test_scanner_finds_a_planted_handle(tmp_path):
    # The search itself must be able to fail: plant handles where make all writes outputs.
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "results").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "results" / "t.md").write_text("P01 and X001 talk; planning #ann", encoding="utf-8")
    assert leaks(tmp_path, {"ann"}) == []  # inside a word, or a hashtag: no leak
    (tmp_path / "results" / "t.csv").write_text("id,who\n1,thanks @ANN!\n", encoding="utf-8")
    import pandas as pd
    pd.DataFrame({"text": ["hi ann_smith", "see twitter.com/Ann_Smith/status/1"]}).to_parquet(
        tmp_path / "data" / "processed" / "p.parquet")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", text="line from @Bob\n")]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "notebooks" / "01-x.ipynb")
    assert leaks(tmp_path, {"ann", "ann_smith", "bob"}) == [
        "data/processed/p.parquet: ann_smith", "notebooks/01-x.ipynb: bob", "results/t.csv: ann"]


def test_scanner_finds_ids_that_name_an_account(tmp_path):
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "figures").mkdir()
    import pandas as pd
    pd.DataFrame({"post_id": ["U0001", "https://inst.social/users/Zoe/statuses/1",
                              "at://did:plc:abc234/app.bsky.feed.post/3k"]}).to_parquet(
        tmp_path / "data" / "processed" / "p.parquet")
    (tmp_path / "figures" / "f.txt").write_text("post 269154966135074079 and 12691549661350740790",
                                                encoding="utf-8")
    assert leaks(tmp_path, set(), {"269154966135074079"}) == [
        "data/processed/p.parquet: did:plc:abc234",
        "data/processed/p.parquet: https://inst.social/users/zoe",
        "figures/f.txt: 269154966135074079"]


def test_no_original_handle_in_outputs():
    if not (paths.PROCESSED / "posts.parquet").is_file():
        pytest.skip("data/processed/posts.parquet is absent: run `make all` first")
    handles = raw_handles(paths.RAW)
    assert handles, "no handles found in data/raw/: the check would be empty"
    found = leaks(paths.ROOT, handles, raw_post_ids(paths.RAW))
    assert found == [], "original handles or post ids in outputs:\n" + "\n".join(found)


REAL = paths.ROOT.parent / "shared" / "real-exports"


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_real_exports_leave_no_handle_or_account_id(platform):
    """Real Mastodon and Bluesky exports, pseudonymised: no handle of the key and no id that
    names an account is left in any column (source file names aside)."""
    import pandas as pd

    from tweetstorm import pseudonymize as ps
    from tweetstorm import structure
    from tweetstorm.ingest import read_posts

    files = sorted((REAL / platform).glob("*")) if (REAL / platform).is_dir() else []
    if not files:
        pytest.skip(f"{REAL / platform} is absent")
    for path in files:
        posts = read_posts([path], on_error="skip").posts
        moderators = [posts["author_handle"].dropna().iloc[0]]
        posts = structure.assign_structure(posts, hashtag="any", moderators=moderators,
                                           start="2000-01-01T00:00:00Z",
                                           end="2100-01-01T00:00:00Z")
        none = pd.DataFrame({c: pd.Series(dtype="string") for c in
                             ("handle", "participant", "contact", "contact_type", "frequency")})
        out, _, _, key, ids = ps.pseudonymize_study(posts, moderators, none[["handle"]],
                                                    none.drop(columns="handle"))
        assert list(out["post_id"]) == list(ids["unit_id"][:len(out)])
        blob = out.drop(columns=["source_file"]).to_csv(index=False).encode()
        embedded = sorted({m.group().decode() for m in EMBEDDED_ACCOUNT.finditer(blob)})
        assert embedded == [], f"{path.name}: {embedded[:5]}"
        handles = {h.casefold() for h in key["handle"]}
        found = sorted({m.group().decode().lower() for m in handle_pattern(handles).finditer(blob)})
        assert found == [], f"{path.name}: {found[:5]}"
