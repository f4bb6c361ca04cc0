"""The event timeline: who posts what, when, in reply to / quoting / retweeting what.

Every post carries its ground truth (role, question, assign_rule, true_code) by construction,
following the structure rules of data/README.md. Texts here are unescaped (as a reader sees
them); the twarc2 writer escapes them as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from tweetstorm._generator import accounts as A
from tweetstorm._generator import phrases as P

START = datetime(2012, 11, 15, 19, 0, 0, tzinfo=timezone.utc)  # 20:00 CET
DURATION_MIN = 90
QUESTION_OFFSETS_MIN = (8, 28, 48, 68)  # Q1..Q4, minutes after START
LAST_WINDOW_MIN = 20  # answer window of the last question
MAX_LEN = 140  # the 2012 tweet length limit
MIN_GAP_MS = 5_000  # no post (but the questions) lies closer than this to a window boundary
PREFIX_FORMS = ["A{n}: ", "A{n}: ", "A{n}: ", "A{n} - ", "a{n}) ", "A{n}. ", "A{n}:"]


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


@dataclass
class Post:
    """One post of the event, before it becomes an API v2 tweet object."""

    author: str
    ms: int  # creation time, Unix epoch milliseconds (UTC)
    kind: str  # original | reply | quote | retweet
    body: str = ""  # text without the leading @mentions of a reply / trailing quote URL
    parent: int | None = None  # index in Event.posts of the replied-to post
    quoted: int | None = None
    retweeted: int | None = None
    role: str = "off_topic"
    question: str | None = None
    rule: str | None = None
    code: str | None = None
    lang: str = "en"
    chain_question: str | None = None  # question reached through the reply chain, if any
    text: str = ""  # final unescaped text (filled by finalize_texts)
    idx: int = -1


@dataclass
class Event:
    """The whole event: accounts, question times and all posts (index = position in posts)."""

    hashtag: str
    moderator: str
    start_ms: int
    end_ms: int
    question_ms: dict[str, int]
    question_post: dict[str, int]
    posts: list[Post] = field(default_factory=list)
    # handle -> (display name, role, sector)
    participants: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def window(self, q: str) -> tuple[int, int]:
        """Answer window (open interval, ms) of question ``q``."""
        qs = sorted(self.question_ms, key=self.question_ms.get)
        i = qs.index(q)
        lo = self.question_ms[q]
        hi = self.question_ms[qs[i + 1]] if i + 1 < len(qs) else lo + LAST_WINDOW_MIN * 60_000
        return lo, hi


class _Builder:
    def __init__(self, seed: int, prompts: dict[str, str],
                 cast: list[tuple[str, str, str, str]] | None = None) -> None:
        self.prompts = prompts
        self.cast = A.PARTICIPANTS if cast is None else cast
        self.rng = np.random.default_rng(seed)
        self.used_ms: set[int] = set()
        start = _ms(START)
        qms = {f"Q{i + 1}": start + m * 60_000 + int(self.rng.integers(0, 20_000))
               for i, m in enumerate(QUESTION_OFFSETS_MIN)}
        self.ev = Event(A.HASHTAG, A.MODERATOR[0], start, start + DURATION_MIN * 60_000, qms, {})
        self.ev.participants = {h: (n, r, s) for h, n, r, s in self.cast}
        self.tag = "#" + A.HASHTAG

    # -- helpers -------------------------------------------------------------------------------
    def choice(self, seq):
        return seq[int(self.rng.integers(0, len(seq)))]

    def t(self, ms: int) -> int:
        ms = int(ms)
        ev = self.ev
        last = max(ev.question_ms.values())
        for b in (ev.start_ms, ev.end_ms, *ev.question_ms.values(), last + LAST_WINDOW_MIN * 60_000):
            if abs(ms - b) < MIN_GAP_MS and ms != b:  # keep the side, move away from the boundary
                ms = b - MIN_GAP_MS - 500 if ms < b else b + MIN_GAP_MS + 500
        while ms in self.used_ms:  # distinct milliseconds -> distinct, time-ordered snowflakes
            ms += 1
        self.used_ms.add(ms)
        return ms

    def add(self, post: Post) -> int:
        post.ms = self.t(post.ms)
        post.idx = len(self.ev.posts)
        self.ev.posts.append(post)
        return post.idx

    def sec(self, lo: float, hi: float) -> int:
        return int(self.rng.uniform(lo, hi) * 1000)

    # -- pieces of text ------------------------------------------------------------------------
    def answer_body(self, q: str, code: str, prefix: str, hashtag: bool, room: int = MAX_LEN) -> str:
        """Text of an answer of true category ``code``; at most ``room`` characters long."""
        rng = self.rng
        core = self.choice(P.ANSWER_CORES[q][code])
        opener = self.choice(P.OPENERS)
        if opener and opener.split()[0].strip(":,").lower() == core.split()[0].strip(":,!").lower():
            opener = ""  # no "Honestly, honestly"
        if opener:
            body = opener + core
        else:
            body = core[0].upper() + core[1:] if rng.random() < 0.6 else core
        extras: list[str] = []
        if rng.random() < 0.2:
            extras.append(self.choice(P.ADDENDA))
        if rng.random() < 0.12:
            extras.append(self.choice(P.TAILS))
        if rng.random() < 0.14:
            extras.append(" " + self.choice(P.EMOJI))
        mention = url = ""
        if rng.random() < 0.12:
            mention = self.choice(P.MENTION_LINES).format(h=self.choice(A.THIRD_PARTIES))
        if rng.random() < 0.10:
            url = "\x00URL\x00"  # placeholder, becomes a t.co link in the writer
        sep = "\n" if rng.random() < 0.07 else " "
        tag = (self.tag if rng.random() < 0.85 else "#PLNstorm") if hashtag else ""
        tail = "".join(x for x in [" " + mention if mention else "", " " + url if url else ""])
        for _attempt in range(4):  # drop extras until it fits 140 characters
            text = prefix + body + "".join(extras) + tail + (sep + tag if tag else "")
            if len(text.replace("\x00URL\x00", "http://t.co/xxxxxxxxxx")) <= room:
                return text
            if extras:
                extras.pop()
            elif tail:
                tail = ""
        text = prefix + core  # last resort: the bare core
        return text + " " + tag if tag and len(text) + 1 + len(tag) <= room else text

    def lead(self, author: str, parent: int) -> list[str]:
        """Handles an API v2 reply text starts with: the replied-to author, then the parent's own."""
        return lead_handles(self.ev.posts, author, parent)

    # -- the event -----------------------------------------------------------------------------
    def build(self) -> Event:
        ev, rng = self.ev, self.rng
        mod = ev.moderator
        s0 = ev.start_ms
        parts = [h for h, *_ in self.cast]
        # outside the window, before
        for k, txt in enumerate(P.PRE_EVENT):
            self.add(Post(mod, s0 - (7 - 6 * k) * 3_600_000 + self.sec(0, 600), "original",
                          txt.format(tag=A.HASHTAG)))
        self.add(Post(parts[0], s0 - 40 * 60_000, "original",
                      f"Looking forward to the {self.tag} tonight!", role="outside_window"))
        for p in ev.posts:
            p.role = "outside_window"
        # welcome and greetings (off_topic, before Q1)
        welcome = [self.add(Post(mod, s0 + self.sec(5, 20) + k * 90_000, "original",
                                 txt.format(tag=A.HASHTAG)))
                   for k, txt in enumerate(P.WELCOME)]
        q1 = ev.question_ms["Q1"]
        greeters = list(rng.choice(parts, size=min(13, len(parts)), replace=False))
        for k, h in enumerate(greeters):
            ms = s0 + self.sec(60, (q1 - s0) / 1000 - 20)
            if k < 3:  # replies to the welcome tweet: role reply
                self.add(Post(h, ms, "reply", self.choice(["Hi!", "Hello all!", "Ready!"]) + " "
                              + self.tag, parent=welcome[0], role="reply"))
            else:
                txt = self.choice(P.GREETINGS).format(tag=A.HASHTAG, city=self.choice(P.CITIES))
                self.add(Post(h, ms, "original", txt))
        # questions and "coming up" chatter
        for i, (q, qms) in enumerate(ev.question_ms.items()):
            if i:
                self.add(Post(mod, qms - self.sec(50, 90), "original",
                              P.COMING_UP.format(q=q, tag=A.HASHTAG)))
            ev.question_post[q] = self.add(Post(
                mod, qms, "original", f"{q}: {self.prompts[q]} {self.tag}", role="question",
                question=q))
        answers = self.answers(parts)
        self.conversation(answers, parts)
        self.retweets(answers, parts)
        self.closing(parts)
        return ev

    def answers(self, parts: list[str]) -> list[int]:
        """~250 answers: prefixed, reply chains, quotes of the question, time-window posts."""
        ev, rng = self.ev, self.rng
        n = len(parts)  # the 25 of the cast: 6 very active, 12 active, 7 occasional; scaled for more
        n_high, n_mid = (6, 12) if n == 25 else (round(n * 6 / 25), round(n * 12 / 25))
        levels = rng.permutation([4.5] * n_high + [3.0] * n_mid + [1.5] * (n - n_high - n_mid))
        qs = list(ev.question_ms)
        plan: list[tuple[str, str, str, bool]] = []  # (handle, question, code, late)
        for h, level in zip(parts, levels):
            role = ev.participants[h][1]
            for q in qs:
                n = min(4, int(rng.poisson(level)))
                codes = [c for c in P.ANSWER_CORES[q]]
                salience = np.linspace(A.SALIENCE[0], A.SALIENCE[1], len(codes))
                w = np.array([A.ROLE_BOOST_FACTOR if c in A.ROLE_BOOST[role][q] else 1.0
                              for c in codes]) * salience * rng.gamma(A.PERSONAL_SHAPE, 1.0, len(codes))
                picked = rng.choice(codes, size=n, replace=False, p=w / w.sum())
                for c in picked:
                    late = q != qs[-1] and rng.random() < 0.08
                    plan.append((h, q, str(c), late))
        # every handle answers at least once
        for h in parts:
            if not any(p[0] == h for p in plan):
                plan.append((h, "Q1", self.choice(list(P.ANSWER_CORES["Q1"])), False))
        # timing and mode
        drafts = []
        for h, q, code, late in plan:
            if late:
                nxt = qs[qs.index(q) + 1]
                lo, hi = ev.window(nxt)
                ms = lo + self.sec(30, 480)
                mode = "prefix" if rng.random() < 0.7 else "reply_chain"
            else:
                lo, hi = ev.window(q)
                while True:
                    ms = lo + 25_000 + int(rng.exponential(300_000))
                    if ms < hi - 20_000:
                        break
                mode = str(rng.choice(["prefix", "reply_chain", "quote_chain", "time_window"],
                                      p=[0.56, 0.20, 0.025, 0.215]))
            drafts.append([ms, h, q, code, mode])
        drafts.sort(key=lambda d: (d[0], d[1]))
        # a participant's first answer is prefixed, so every answerer is a "participant"
        seen: set[str] = set()
        for d in drafts:
            if d[1] not in seen:
                seen.add(d[1])
                if d[4] not in ("prefix", "reply_chain", "quote_chain"):
                    d[4] = "prefix"
        out: list[int] = []
        chain_answers: dict[str, list[int]] = {q: [] for q in qs}
        qpost = ev.question_post
        for ms, h, q, code, mode in drafts:
            if mode == "prefix":
                n = q[1:]
                prefix = self.choice(PREFIX_FORMS).format(n=n)
                as_reply = rng.random() < 0.15
                room = MAX_LEN - (len(ev.moderator) + 2 if as_reply else 0)
                body = self.answer_body(q, code, prefix, hashtag=True, room=room)
                post = Post(h, ms, "reply" if as_reply else "original", body,
                            parent=qpost[q] if as_reply else None)
            elif mode == "reply_chain":
                earlier = [i for i in chain_answers[q] if ev.posts[i].ms < ms - 15_000]
                parent = (self.choice(earlier) if earlier and rng.random() < 0.25 else qpost[q])
                # replies straight to the moderator may omit the hashtag (found by to:moderator)
                room = MAX_LEN - sum(len(x) + 2 for x in self.lead(h, parent))
                body = self.answer_body(q, code, "", hashtag=parent != qpost[q] or rng.random() < 0.6,
                                        room=room)
                post = Post(h, ms, "reply", body, parent=parent)
            elif mode == "quote_chain":
                post = Post(h, ms, "quote", self.answer_body(q, code, "", hashtag=True,
                                                             room=MAX_LEN - 23), quoted=qpost[q])
            else:
                post = Post(h, ms, "original", self.answer_body(q, code, "", hashtag=True))
            post.role, post.question, post.rule, post.code = "answer", q, mode, code
            if post.kind == "reply":
                post.chain_question = q
            i = self.add(post)
            if post.kind == "reply":
                chain_answers[q].append(i)
            out.append(i)
        return out

    def conversation(self, answers: list[int], parts: list[str]) -> None:
        """Replies between participants to non-chain answers, and plain quotes of answers."""
        ev, rng = self.ev, self.rng
        end = ev.end_ms
        roots = [i for i in answers if ev.posts[i].kind == "original"]
        for i in rng.choice(roots, size=50, replace=False):
            parent = ev.posts[int(i)]
            h = self.choice([p for p in parts if p != parent.author])
            ms = parent.ms + self.sec(40, 400)
            if ms > end - 90_000:
                continue
            txt = self.choice(P.CONVERSATION) + " " + self.tag
            r = self.add(Post(h, ms, "reply", txt, parent=int(i), role="reply"))
            if rng.random() < 0.35:  # the answerer replies back
                back = self.choice(["Thanks!", "Indeed :)", "Yes, exactly", "Good question, "
                                    "mostly in the evenings", "Ha, glad it's not just me"])
                self.add(Post(parent.author, ev.posts[r].ms + self.sec(30, 200), "reply",
                              back + " " + self.tag, parent=r, role="reply"))
        for i in rng.choice(answers, size=10, replace=False):
            src = ev.posts[int(i)]
            h = self.choice([p for p in parts if p != src.author])
            ms = src.ms + self.sec(30, 300)
            if ms < end - 90_000:
                self.add(Post(h, ms, "quote", self.choice(P.QUOTE_COMMENTS) + " " + self.tag,
                              quoted=int(i), role="quote"))

    def retweets(self, answers: list[int], parts: list[str]) -> None:
        """Moderator retweets of answers, participants' and a bystander's retweets."""
        ev, rng = self.ev, self.rng
        done: set[tuple[str, int]] = set()
        answers = [i for i in answers if self.tag in ev.posts[i].body.lower()]

        def rt(h: str, i: int, lo: float, hi: float) -> None:
            src = ev.posts[i]
            ms = src.ms + self.sec(lo, hi)
            if (h, i) in done or h == src.author or ms > ev.end_ms - 30_000:
                return
            done.add((h, i))
            self.add(Post(h, ms, "retweet", retweeted=i, role="retweet"))

        # the moderator favours long, substantive answers (so some retweets get cut at 140)
        w = np.array([len(ev.posts[i].body) for i in answers], dtype=float) ** 4
        for i in rng.choice(answers, size=26, replace=False, p=w / w.sum()):
            rt(ev.moderator, int(i), 15, 200)
        for _q, i in ev.question_post.items():
            for h in rng.choice(parts, size=3, replace=False):
                rt(str(h), i, 10, 120)
        for i in rng.choice(answers, size=36, replace=False):
            rt(self.choice(parts), int(i), 20, 600)
        for i in rng.choice(answers, size=3, replace=False):
            rt("lurking_lou", int(i), 60, 300)

    def closing(self, parts: list[str]) -> None:
        """Bystanders' posts, thank-yous, and posts after the event window."""
        ev, rng = self.ev, self.rng
        qs = list(ev.question_ms)
        for k, (h, *_rest) in enumerate(A.BYSTANDERS):
            txt = P.NON_PARTICIPANT[k].format(tag=A.HASHTAG)
            lang = "nl" if h == "annekevdb" else "en"
            self.add(Post(h, ev.question_ms[qs[k]] + self.sec(90, 400), "original", txt,
                          lang=lang))
        _, q4_end = ev.window(qs[-1])
        self.add(Post(ev.moderator, q4_end + self.sec(15, 35), "original",
                      P.THANKS.format(tag=A.HASHTAG)))
        thankers = [str(h) for h in rng.choice(parts, size=11, replace=False)]
        for h in thankers[:7]:
            txt = self.choice(P.THANKYOUS).format(tag=A.HASHTAG, mod=ev.moderator)
            self.add(Post(h, q4_end + self.sec(40, (ev.end_ms - q4_end) / 1000 - 10),
                          "original", txt))
        # after the window: outside_window
        after = []
        for h in thankers[7:]:
            txt = self.choice(P.THANKYOUS).format(tag=A.HASHTAG, mod=ev.moderator)
            after.append(self.add(Post(str(h), ev.end_ms + self.sec(60, 3600), "original", txt)))
        for k, txt in enumerate(P.POST_EVENT):
            after.append(self.add(Post(parts[5 + k], ev.end_ms + self.sec(1800, 9000),
                                       "original", txt.format(tag=A.HASHTAG))))
        # a prefixed answer posted after the window: outside_window wins over the prefix rule
        late = "A4: " + self.choice(P.ANSWER_CORES["Q4"]["reflection"]) + " (sorry, late!) " + self.tag
        after.append(self.add(Post(parts[2], ev.end_ms + self.sec(120, 600), "original", late)))
        for i in after:
            ev.posts[i].role = "outside_window"
        # an answer no rule can place: its prefix names a question that was never asked (a typo
        # for A4), posted after the last question's window; the ingest lists it as unassigned
        stray = Post(parts[3], q4_end + self.sec(30, (ev.end_ms - q4_end) / 1000 - 10), "original",
                     "A5: " + self.choice(P.ANSWER_CORES["Q4"]["serendipity"]) + " " + self.tag)
        stray.role, stray.rule = "answer", "unassigned"
        self.add(stray)


def lead_handles(posts: list[Post], author: str, parent: int) -> list[str]:
    """The @handles (without @) that open the text of a reply by ``author`` to ``posts[parent]``."""
    p = posts[parent]
    chain = [p.author] + (lead_handles(posts, p.author, p.parent) if p.kind == "reply" else [])
    return list(dict.fromkeys(h for h in chain if h != author))


def build_event(seed: int, prompts: dict[str, str],
                cast: list[tuple[str, str, str, str]] | None = None) -> Event:
    """Build the event for ``seed``; ``prompts`` maps Q1..Q4 to the codebook's prompt texts;
    ``cast``: the participants (default ``accounts.PARTICIPANTS``)."""
    return _Builder(seed, prompts, cast).build()
