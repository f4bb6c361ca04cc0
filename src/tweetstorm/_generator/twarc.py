"""Turn the event into what ``twarc2 search`` writes: Twitter API v2 response pages.

Hand-written because no library produces API v2 payloads: ids are snowflakes
(``((ms - 1288834974657) << 22) | 22 random low bits``), texts are HTML-escaped (``&amp; &lt;
&gt;``) while entity offsets count code points of the unescaped text, retweets read
``RT @user: ...`` cut to 140 characters with ``…`` and carry the original in
``includes.tweets``, and pages are newest first with up to 100 tweets.
"""

from __future__ import annotations

import html
import re
import string
from datetime import datetime, timezone
from urllib.parse import urlencode

import numpy as np

from tweetstorm._generator import accounts as A
from tweetstorm._generator import phrases as P
from tweetstorm._generator.event import MAX_LEN, Event, lead_handles

TWITTER_EPOCH_MS = 1288834974657
PAGE_SIZE = 100
TWARC_VERSION = "2.10.4"
RETRIEVED_AT = "2022-03-14T10:21:07.204885+00:00"  # fixed fake retrieval time, after the event
QUERY_START = "2012-11-15T00:00:00Z"
QUERY_END = "2012-11-16T00:00:00Z"
EXPANSIONS = ("author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,"
              "entities.mentions.username,attachments.poll_ids,attachments.media_keys,geo.place_id")
TWEET_FIELDS = ("author_id,conversation_id,created_at,entities,id,in_reply_to_user_id,lang,"
                "possibly_sensitive,public_metrics,referenced_tweets,reply_settings,source,text")
USER_FIELDS = "created_at,description,id,name,public_metrics,username"

# (Unix time, approximate user id) of accounts created on 1 January 2007 .. 2013
_UID_ANCHORS = ([datetime(y, 1, 1, tzinfo=timezone.utc).timestamp() for y in range(2007, 2014)],
                [1e6, 1.1e7, 1.9e7, 1.0e8, 2.3e8, 4.5e8, 1.1e9])
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d]\w*)")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_URL = re.compile(r"https?://t\.co/[A-Za-z0-9]{10}")


def snowflake(ms: int, low_bits: int) -> int:
    """Tweet id of a tweet created at Unix epoch milliseconds ``ms`` (``low_bits`` < 2**22)."""
    return ((ms - TWITTER_EPOCH_MS) << 22) | low_bits


def iso_ms(ms: int) -> str:
    """``2012-11-15T19:08:03.417Z`` for Unix epoch milliseconds ``ms``."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class _Writer:
    def __init__(self, ev: Event, rng: np.random.Generator) -> None:
        self.ev, self.rng = ev, rng
        self.users: dict[str, dict] = {}
        self.url_map: dict[str, tuple[str, str]] = {}  # t.co -> (expanded, display)
        self._make_users()
        self.ids: list[str] = []
        for p in ev.posts:
            self.ids.append(str(snowflake(p.ms, int(rng.integers(0, 1 << 22)))))

    def tco(self, expanded: str, display: str) -> str:
        while True:
            code = "".join(self.rng.choice(list(string.ascii_letters + string.digits), 10))
            url = "http://t.co/" + code
            if url not in self.url_map:
                self.url_map[url] = (expanded, display)
                return url

    def _make_users(self) -> None:
        rng = self.rng
        taken: set[int] = set()

        def user(handle: str, name: str, bio: str, since_year: int) -> None:
            # accounts made in 2012 date from before November (the event is on 15 November)
            created = datetime(since_year, int(rng.integers(1, 11 if since_year == 2012 else 13)),
                               int(rng.integers(1, 29)), int(rng.integers(0, 24)),
                               int(rng.integers(0, 60)), int(rng.integers(0, 60)), tzinfo=timezone.utc)
            # user ids of that era grow with the creation date (interpolated between anchors)
            uid = int(np.interp(created.timestamp(), _UID_ANCHORS[0], _UID_ANCHORS[1]))
            while uid in taken:
                uid += 1
            taken.add(uid)
            followers = int(rng.lognormal(5.5, 1.0))
            self.users[handle] = {
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "description": bio,
                "id": str(uid),
                "name": name,
                "public_metrics": {"followers_count": followers,
                                   "following_count": int(rng.lognormal(5.8, 0.7)),
                                   "tweet_count": int(rng.lognormal(7.5, 1.2)),
                                   "listed_count": int(followers * rng.uniform(0.01, 0.08))},
                "username": handle,
            }

        mod, mod_name, mod_bio = A.MODERATOR
        user(mod, mod_name, mod_bio, 2012)
        bios = {"teacher": "Teacher & lifelong learner", "researcher": "Researcher, TEL & networked learning",
                "learning designer": "Learning designer. Blended, social, open.",
                "manager": "L&D manager. Opinions my own.", "student": "Student. Learning out loud."}
        for h, (name, role, sector) in self.ev.participants.items():
            user(h, name, f"{bios[role]} | {sector}", int(rng.integers(2007, 2012)))
        for h, name, bio in A.BYSTANDERS:
            user(h, name, bio, int(rng.integers(2008, 2012)))
        for h in A.THIRD_PARTIES:
            user(h, h.replace("_", " ").title(), "Learning, sharing, connecting.",
                 int(rng.integers(2007, 2012)))

    # -- texts ---------------------------------------------------------------------------------
    def finalize_texts(self) -> None:
        ev = self.ev
        for p in sorted(ev.posts, key=lambda p: p.ms):
            body = p.body
            while "\x00URL\x00" in body:
                exp, disp = self.choice(P.URL_DOMAINS)
                body = body.replace("\x00URL\x00", self.tco("http://" + exp, disp), 1)
            if p.kind == "reply":
                lead = lead_handles(ev.posts, p.author, p.parent)
                p.text = "".join(f"@{h} " for h in lead) + body
            elif p.kind == "quote":
                q = ev.posts[p.quoted]
                link = f"https://twitter.com/{q.author}/status/{self.ids[q.idx]}"
                p.text = body + " " + self.tco(link, f"twitter.com/{q.author}/status/…")
            elif p.kind == "retweet":
                orig = ev.posts[p.retweeted]
                p.text = _truncate(f"RT @{orig.author}: {orig.text}")
            else:
                p.text = body

    def choice(self, seq):
        return seq[int(self.rng.integers(0, len(seq)))]

    # -- API objects ---------------------------------------------------------------------------
    def entities(self, text: str) -> dict:
        ent: dict[str, list] = {}
        tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)}
                for m in _HASHTAG.finditer(text)]
        mentions = [{"start": m.start(), "end": m.end(), "username": m.group(1),
                     "id": self.users[m.group(1)]["id"]}
                    for m in _MENTION.finditer(text) if m.group(1) in self.users]
        urls = []
        for m in _URL.finditer(text):
            exp, disp = self.url_map[m.group(0)]
            urls.append({"start": m.start(), "end": m.end(), "url": m.group(0),
                         "expanded_url": exp, "display_url": disp})
        if urls:
            ent["urls"] = urls
        if tags:
            ent["hashtags"] = tags
        if mentions:
            ent["mentions"] = mentions
        return ent

    def tweets(self) -> list[dict]:
        ev, rng = self.ev, self.rng
        counts = {k: np.zeros(len(ev.posts), dtype=int) for k in ("rt", "reply", "quote")}
        for p in ev.posts:
            if p.retweeted is not None:
                counts["rt"][p.retweeted] += 1
            if p.parent is not None:
                counts["reply"][p.parent] += 1
            if p.quoted is not None:
                counts["quote"][p.quoted] += 1
        out = []
        for p in ev.posts:
            i = p.idx
            tw: dict = {"author_id": self.users[p.author]["id"]}
            ref = []
            conv = self.ids[i]
            if p.kind == "reply":
                root = p.parent
                while ev.posts[root].parent is not None:
                    root = ev.posts[root].parent
                conv = self.ids[root]
                ref.append({"type": "replied_to", "id": self.ids[p.parent]})
            elif p.kind == "quote":
                ref.append({"type": "quoted", "id": self.ids[p.quoted]})
            elif p.kind == "retweet":
                ref.append({"type": "retweeted", "id": self.ids[p.retweeted]})
            tw["conversation_id"] = conv
            tw["created_at"] = iso_ms(p.ms)
            ent = self.entities(p.text)
            if ent:
                tw["entities"] = ent
            tw["id"] = self.ids[i]
            if p.kind == "reply":
                tw["in_reply_to_user_id"] = self.users[ev.posts[p.parent].author]["id"]
            tw["lang"] = p.lang
            tw["possibly_sensitive"] = False
            if p.kind == "retweet":
                o = p.retweeted
                tw["public_metrics"] = {"retweet_count": int(counts["rt"][o]), "reply_count": 0,
                                        "like_count": 0, "quote_count": 0}
            else:
                likes = int(rng.poisson(1.0 + 2.0 * counts["rt"][i] + counts["reply"][i]))
                tw["public_metrics"] = {"retweet_count": int(counts["rt"][i]),
                                        "reply_count": int(counts["reply"][i]),
                                        "like_count": likes, "quote_count": int(counts["quote"][i])}
            if ref:
                tw["referenced_tweets"] = ref
            tw["reply_settings"] = "everyone"
            tw["source"] = self._source(p.author)
            tw["text"] = html.escape(p.text, quote=False)  # the API escapes & < > only
            out.append(tw)
        return out

    def _source(self, handle: str) -> str:
        # a stable favourite client per account (hash-free: index in the sorted user list)
        k = sorted(self.users).index(handle)
        return A.SOURCES[k % len(A.SOURCES)]

    def pages(self, tweets: list[dict], n_dupes: int = 2) -> list[dict]:
        ev, rng = self.ev, self.rng
        by_id = {t["id"]: t for t in tweets}
        order = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
        chunks = [order[k:k + PAGE_SIZE - 2] for k in range(0, len(order), PAGE_SIZE - 2)]
        # overlapping pagination: the last tweet(s) of a page come again on top of the next
        boundaries = rng.choice(np.arange(1, len(chunks)), size=min(n_dupes, len(chunks) - 1),
                                replace=False)
        for b in sorted(int(x) for x in boundaries):
            d = 1 + int(rng.integers(0, 2))
            chunks[b] = chunks[b - 1][-d:] + chunks[b]
        user_by_id = {u["id"]: u for u in self.users.values()}
        q = f"#{A.HASHTAG} OR from:{ev.moderator} OR to:{ev.moderator}"
        base = {"expansions": EXPANSIONS, "tweet.fields": TWEET_FIELDS, "user.fields": USER_FIELDS,
                "query": q, "start_time": QUERY_START, "end_time": QUERY_END, "max_results": 100}
        tokens = ["".join(rng.choice(list(string.ascii_lowercase + string.digits), 44))
                  for _ in chunks]
        pages = []
        for k, chunk in enumerate(chunks):
            inc_tweets: dict[str, dict] = {}
            uids: dict[str, None] = {}
            for t in chunk:
                uids[t["author_id"]] = None
                for r in t.get("referenced_tweets", []):
                    ref = by_id[r["id"]]
                    inc_tweets.setdefault(ref["id"], ref)
                    uids[ref["author_id"]] = None
                if "in_reply_to_user_id" in t:
                    uids[t["in_reply_to_user_id"]] = None
                for m in t.get("entities", {}).get("mentions", []):
                    uids[m["id"]] = None
            meta = {"newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"],
                    "result_count": len(chunk)}
            if k + 1 < len(chunks):
                meta["next_token"] = tokens[k]
            params = dict(base)
            if k:
                params["next_token"] = tokens[k - 1]
            pages.append({
                "data": chunk,
                "includes": {"users": [user_by_id[u] for u in uids],
                             "tweets": list(inc_tweets.values())},
                "meta": meta,
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?"
                            + urlencode(params), "version": TWARC_VERSION,
                            "retrieved_at": RETRIEVED_AT},
            })
        return pages


def _truncate(text: str) -> str:
    """Cut a retweet text to 140 characters at a word boundary, ending in ``…`` (as the API)."""
    if len(text) <= MAX_LEN:
        return text
    cut = text[:MAX_LEN - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > MAX_LEN // 2:
        cut = cut[:space]
    return cut + "…"


def build_pages(ev: Event, rng: np.random.Generator) -> tuple[list[dict], list[str], dict]:
    """Pages (list of response dicts), tweet id per post index, and the user objects by handle."""
    w = _Writer(ev, rng)
    w.finalize_texts()
    return w.pages(w.tweets()), w.ids, w.users
