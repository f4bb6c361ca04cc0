"""The report's style sheet: screen and print (WeasyPrint, A4 with page numbers)."""

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #999; --banner: #fff4d6; --banner-rule: #d59b00; }
html { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; color: var(--ink);
       font-size: 16px; line-height: 1.5; background: #fff; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1, h2, h3, .kicker, caption, figcaption, table, .banner, .colophon {
  font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.6rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 0.4rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.8rem; color: var(--muted);
          margin: 0; }
.reproduces { font-size: 0.95rem; color: var(--muted); }
.citation { color: var(--ink); }
.banner { background: var(--banner); border: 1px solid var(--banner-rule);
          border-left: 6px solid var(--banner-rule); padding: 0.6rem 0.9rem; margin: 0 0 1rem;
          font-size: 0.92rem; }
.prompt { font-style: italic; color: var(--muted); }
ol.questions li { margin-bottom: 0.2rem; }
figure { margin: 1.4rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption, caption { font-size: 0.85rem; line-height: 1.4; text-align: left; color: var(--ink); }
figcaption { margin-top: 0.4rem; }
.label { font-weight: bold; }
.source { color: var(--muted); }
table { border-collapse: collapse; margin: 1.4rem 0; font-size: 0.8rem; width: 100%;
        break-inside: auto; }
caption { caption-side: top; padding-bottom: 0.4rem; }
thead tr:first-child th, thead tr:first-child td { border-top: 1.5px solid var(--ink); }
thead tr:last-child th { border-bottom: 1px solid var(--ink); }
thead th { vertical-align: bottom; }
thead th.group { text-align: center; border-bottom: 0.5px solid var(--ink); padding-bottom: 0.1rem; }
tbody tr:last-child td { border-bottom: 1.5px solid var(--ink); }
th, td { padding: 0.2rem 0.4rem; text-align: left; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr { break-inside: avoid; }
code { font-size: 0.85em; }
#colophon { font-size: 0.85rem; color: var(--muted); }
.dirty { color: #a00; }
ul.references { padding-left: 1.2rem; text-indent: -1.2rem; list-style: none; }
@page { size: A4; margin: 2cm 1.8cm 2.2cm;
        @bottom-center { content: counter(page) " / " counter(pages);
                         font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
@media screen { figure img { width: var(--screen-width) !important; } }
@media print {
  html { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
}
"""
