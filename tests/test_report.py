"""The report (tweetstorm.report): built from the committed results and figures, read back as a
reader would. The browser test is tests/test_report_browser.py."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess

import pandas as pd
import pytest

from tweetstorm import paths, report, study
from tweetstorm.codebook import load as load_codebook
from tweetstorm.report import tables as rt

SIE_2013 = ("Sie, R. L. L., Pataraia, N., Boursinou, E., Rajagopal, K., Margaryan, A., Falconer, "
            "I., Bitter-Rijpkema, M., Littlejohn, A., & Sloep, P. B. (2013). Goals, motivation "
            "for, and outcomes of personal learning through networks: Results of a Tweetstorm. "
            "Educational Technology & Society, 16(3), 59\u201375.")


@pytest.fixture(scope="module")
def page() -> str:
    return report.render()


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_reference_of_the_study_from_citation_cff():
    assert report.study_reference() == SIE_2013
    # the README cites the same (its Markdown spells the journal in italics, pages with "–")
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    flat = re.sub(r"\s+", " ", readme.replace("*", "")).replace("> ", "")
    assert SIE_2013 in flat
    assert "<em>Educational Technology &amp; Society</em>, <em>16</em>(3)" in \
        report.study_reference(as_html=True)


def test_title_banner_and_citation(page):
    s = study.load()
    assert f"<h1>{htmllib.escape(s.title)}</h1>" in page
    assert f"<title>{htmllib.escape(s.title)}</title>" in page
    assert SIE_2013 in _text(page)
    has_banner = 'id="illustrative-banner"' in page
    assert has_banner == s.illustrative
    if s.illustrative:  # the banner comes before the title
        assert page.index('id="illustrative-banner"') < page.index("<h1>")


def test_every_figure_caption_says_illustrative(page):
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, flags=re.S)
    assert len(captions) == len(list(paths.FIGURES.glob("*.png")))
    if study.load().illustrative:
        assert all("illustrative" in _text(c).lower() for c in captions)


def test_figures_and_tables_numbered_consecutively_with_alt_text(page):
    figs = [int(n) for n in re.findall(r'<span class="label">Figure (\d+)\.</span>', page)]
    tabs = [int(n) for n in re.findall(r'<span class="label">Table (\d+)\.</span>', page)]
    from tweetstorm import codebook as codebook_module
    from tweetstorm import study

    declared = study.outputs(study.load())  # every figure of the study is in the report
    questions = codebook_module.load(study.load().codebook).questions()
    assert figs == list(range(1, len(figs) + 1)) and len(figs) == sum(o.kind == "figure" for o in declared)
    assert tabs == list(range(1, len(tabs) + 1)) and len(tabs) > len(questions)  # a table per question, and more
    alts = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
    assert len(alts) == len(figs)
    assert [int(re.match(r"Figure (\d+):", a).group(1)) for a in alts] == figs
    assert all(len(a) > 20 for a in alts)
    # every "Figure N"/"Table N" the prose cites exists
    for kind, found in (("Figure", figs), ("Table", tabs)):
        cited = {int(n) for n in re.findall(rf"\b{kind} (\d+)\b", _text(page))}
        assert cited <= set(found), (kind, cited - set(found))


def test_figures_at_least_twice_display_resolution(page):
    for uri, width in re.findall(r'<img src="data:image/png;base64,([^"]+)"[^>]* width="(\d+)"',
                                 page):
        import base64
        png = base64.b64decode(uri)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") >= 2 * int(width)


def test_headers_are_readable_and_there_is_no_index_column(page):
    headers = [_text(h) for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", page)]
    assert headers
    codes = {c.code for q in load_codebook().questions()
             for c in load_codebook().question(q).categories}
    for h in headers:
        assert "_" not in h and h.strip() and h not in codes, h
    assert "n_units" not in headers and "p_holm" not in headers
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        first = re.search(r"<th(?:\s[^>]*)?>(.*?)</th>", table).group(1)
        assert first not in ("", "index")


def test_category_labels_not_codes_in_cells(page):
    cb = load_codebook()
    cells = {_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page)}
    for q in cb.questions():
        for cat in cb.question(q).categories:
            if "_" in cat.code:
                assert cat.code not in cells
    assert "Q1 " + cb.question("Q1").label in cells


def test_one_number_format_per_column(page):
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        rows = [re.findall(r'<td class="num">(.*?)</td>|<td>(.*?)</td>', r)
                for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
        rows = [r for r in rows if r]
        if not rows:
            continue
        for j in range(len(rows[0])):
            shapes = set()
            for r in rows:
                cell = _text(r[j][0] or r[j][1])
                if not cell or not re.search(r"\d", cell) or not r[j][0]:
                    continue
                # the shape of a number: digits replaced, so 0.12 and 3.45 agree, 1.0 and 1 not
                shapes.add(re.sub(r"\d+", "9", cell.split("\u2013")[0].split(" (")[0]))
            shapes.discard("< 9.9")  # p below 0.001, written as such
            assert len(shapes) <= 1, (table[:120], j, shapes)


def test_methods_read_for_a_reader(page):
    body = page[:page.index('<section id="colophon">')]
    text = _text(re.sub(r"<style>.*?</style>", "", body, flags=re.S))
    for developer in ("tweetstorm.", ".ipynb", "notebook 0", "on_error", "papermill",
                      ".parquet", "read_posts", "question(s)", "n_units", "p_holm"):
        assert developer not in text, developer
    s = study.load()
    assert f"#{s.hashtag}" in text


def test_frequency_table_matches_the_results(page):
    cb = load_codebook()
    q = cb.questions()[0]
    name = next(paths.RESULTS.glob(f"{q.lower()}_*_frequencies.csv")).stem
    freq = pd.read_csv(paths.RESULTS / f"{name}.csv")
    table = next(t for t in re.findall(r"<table.*?</table>", page, flags=re.S)
                 if f"results/{name}.csv" in t)
    rows = [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)][1:]
    assert len(rows) == len(freq)
    for row, (_, f) in zip(rows, freq.iterrows()):
        assert f["label"] in row
        assert str(int(f["n"])) in row
        assert f"{100 * f['share']:.1f}" in row


def test_not_illustrative_study_has_no_banner(tmp_path):
    s = study.load()
    other = study.Study(**{**{f: getattr(s, f) for f in (
        "title", "export", "hashtag", "moderators", "start", "end", "codebook", "coding_sheets",
        "adjudication", "participants", "characteristics", "pln")}, "illustrative": False,
        "title": "My own Tweetstorm"})
    path = tmp_path / "study.yml"
    path.write_text(study.dump(other), encoding="utf-8")
    text = report.render(study_file=path)
    assert "illustrative-banner" not in text
    assert report.ILLUSTRATIVE_NOTE not in text
    assert "<h1>My own Tweetstorm</h1>" in text


def test_study_without_pln_session_says_so(tmp_path):
    import dataclasses

    path = tmp_path / "study.yml"
    path.write_text(study.dump(dataclasses.replace(study.load(), pln=None)), encoding="utf-8")
    text = _text(report.render(study_file=path))
    assert "The study had no PLN identification session" in text
    assert "took the PLN identification session" not in text


def test_rebuild_is_byte_identical_and_self_contained(tmp_path):
    a = report.build_report(tmp_path / "a.html").read_bytes()
    b = report.build_report(tmp_path / "b.html").read_bytes()
    assert a == b
    text = a.decode()
    assert "<script" not in text and not re.search(r"<link[^>]+href=", text)
    assert not re.search(r'src="(?!data:)', text)
    assert str(paths.ROOT) not in text and str(tmp_path) not in text


def test_colophon_commit_date_versions_and_rebuild(page):
    colophon = _text(page[page.index('<section id="colophon">'):])
    state = report.git_state()
    if state["commit"]:
        assert state["commit"] in colophon
        assert report.commit_date(None, state["commit"]) in colophon
    import importlib.metadata
    for name in ("pandas", "numpy", "networkx", "matplotlib"):
        assert f"{name} {importlib.metadata.version(name)}" in colophon
    assert "make all" in colophon and "make report" in colophon


def test_formats():
    assert rt.fmt_p(0.0001) == "< 0.001" and rt.fmt_p(0.0813) == "0.081"
    assert rt.fmt_pct(0.155172413793) == "15.5"
    assert rt.fmt_int(12345) == "12\u2009345"
    assert rt.fmt_dec(2)(-0.5) == "\u22120.50"
    df = pd.DataFrame({"a": ["x", "y"], "lo": [0.1, 0.2], "hi": [0.3, float("nan")],
                       "n": [1, 2]})
    out = rt.html_table(df, [rt.Col("a", "Name"), rt.Col(("lo", "hi"), "95% CI", "dec2"),
                             rt.Col("n", "Count", "int"), rt.Col("absent", "Left out", "int")],
                        7, "A caption.", source="results/x.csv")
    assert '<span class="label">Table 7.</span> A caption.' in out
    assert re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", out) == ["Name", "95% CI", "Count"]
    assert '<td class="num">0.10\u20130.30</td>' in out
    assert '<td class="num"></td>' in out  # an interval with a missing end is left empty
    with pytest.raises(ValueError, match="none of the columns"):
        rt.html_table(df, [rt.Col("absent", "X")], 1, "c")


git = shutil.which("git")


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c",
                           "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(git is None, reason="git is not installed")
def test_git_state_commit_date_and_dirty(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    assert report.git_state(repo)["note"] == "no commit yet"
    assert "no git commit" in report.colophon_html(repo)
    cell = new_code_cell("x = 1")
    nbformat.write(new_notebook(cells=[cell]), repo / "n.ipynb")
    (repo / "code.py").write_text("a = 1\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first", "--date", "2024-05-06T07:08:09+02:00")
    head = _git(repo, "rev-parse", "HEAD")
    date = _git(repo, "log", "-1", "--format=%cI")
    state = report.git_state(repo)
    assert state["commit"] == head and not state["dirty"]
    assert report.commit_date(repo) == date
    assert f"{head}</code> of {date}" in report.colophon_html(repo)

    executed = new_code_cell("x = 1", execution_count=1,
                             outputs=[new_output("stream", name="stdout", text="1\n")])
    nbformat.write(new_notebook(cells=[executed]), repo / "n.ipynb")  # outputs only
    assert report.git_state(repo)["changed"] == []

    (repo / "code.py").write_text("a = 2\n")
    (repo / "new.csv").write_text("x\n")
    state = report.git_state(repo)
    assert state["changed"] == ["code.py", "new.csv"]
    assert "2 files differ" in report.colophon_html(repo)


def test_cli_writes_html_and_reports_bad_study(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert report.main(["--out", str(out)]) == 0
    assert out.is_file() and "wrote" in capsys.readouterr().out


@pytest.mark.slow
def test_pdf_is_laid_out_with_the_title(tmp_path):
    from weasyprint import HTML

    html_file = report.build_report(tmp_path / "r.html")
    pdf = report.build_pdf(html_file, tmp_path / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 100_000
    document = HTML(filename=str(html_file)).render()
    assert document.metadata.title == study.load().title
    assert len(document.pages) >= 5
    # A4 portrait, in CSS pixels (96 per inch)
    assert document.pages[0].width == pytest.approx(210 / 25.4 * 96, abs=1)


def test_methods_name_the_sources_the_codebook_gives(page, tmp_path):
    """Where the categories come from is the codebook's to say: each question's ``source`` is
    quoted, and a codebook without sources gets no such sentence (no study is assumed)."""
    import yaml

    from tweetstorm.report.build import _category_sources

    s = study.load()
    data = yaml.safe_load(paths.resolve(s.codebook).read_text(encoding="utf-8"))
    qs = list(data["questions"])
    for q in qs:
        data["questions"][q].pop("source", None)
    data["questions"][qs[0]]["source"] = "the factors of an earlier study"
    path = tmp_path / "codebook.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    book = load_codebook(path)
    label = book.question(qs[0]).label
    assert _category_sources(book) == f"The categories of {qs[0]} {label} are the factors of an earlier study. "
    data["questions"][qs[0]].pop("source")
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert _category_sources(load_codebook(path)) == ""
    own = load_codebook(s.codebook)  # the report of this study quotes its codebook's sources
    for q in own.questions():
        if own.question(q).source:
            assert htmllib.escape(own.question(q).source.replace("'", "\u2019")) in page


def test_no_column_repeats_its_group_name(page):
    """A grouped header (Rank, Answers, Participants) never has a column named like the group."""
    for head in re.findall(r"<thead>(.*?)</thead>", page, flags=re.S):
        rows = re.findall(r"<tr[^>]*>(.*?)</tr>", head, flags=re.S)
        if len(rows) < 2:
            continue
        groups = {_text(g) for g in re.findall(r'<th scope="colgroup"[^>]*>(.*?)</th>', rows[0], re.S)}
        columns = {_text(c) for c in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', rows[1], re.S)}
        assert groups and not groups & columns, (groups, columns)
