"""The one-page HTML report: self-contained (inline CSS and a little JS, nothing fetched), for people
who will never open a terminal. Every text is HTML-escaped; the page runs no code from the notes."""

from __future__ import annotations

import html

from custlens.infra.visible import visible
from custlens.models import Statement
from custlens.output.records import (
    CHANGES_SHOWN,
    change_facts,
    change_heading,
    comparison_line,
    pairing_line,
    plural,
    traced_line,
)
from custlens.pipeline.triangulate import Evidence
from custlens.reports import HtmlReport

CSS = """
:root { --ink:#1d2430; --muted:#5b6472; --line:#e3e6eb; --strong:#1f7a4d; --moderate:#b7791f; --anecdotal:#8a94a3;
        --pain:#b42318; --need:#175cd3; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0;
       background: #f7f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 20px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; }
main { padding: 8px 32px 40px; }
nav.sections { margin-top: 10px; font-size: 14px; } nav.sections a { margin-right: 16px; }
.muted { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: 18px; margin: 16px 0 4px; }
.filters fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; background: #fff; }
.filters label { margin-right: 10px; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
td, blockquote, p.stated, cite, code { overflow-wrap: anywhere; }  /* a long link or word wraps, the page fits */
th { font-size: 13px; color: var(--muted); font-weight: 600; background: #fbfcfd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; color: #fff; }
.badge.strong { background: var(--strong); } .badge.moderate { background: var(--moderate); }
.badge.anecdotal { background: var(--anecdotal); }
.type { font-size: 12px; font-weight: 600; text-transform: uppercase; }
.type.pain { color: var(--pain); } .type.need { color: var(--need); }
details summary { cursor: pointer; color: var(--muted); font-size: 13px; }
blockquote { margin: 6px 0; padding: 4px 10px; border-left: 3px solid var(--line); }
blockquote.quote { font-style: italic; border-left: 3px solid var(--need); background: #f3f6fc; margin: 6px 0 4px; }
blockquote.quote cite, blockquote.said cite { display: block; font-style: normal; font-size: 12px; color: var(--muted); }
blockquote.said { font-style: italic; border-left-color: var(--need); }
p.stated { margin: 6px 0; padding: 4px 10px; }
p.typical { margin: 6px 0 4px; padding: 4px 10px; border-left: 3px solid var(--line); }
p.typical cite { display: block; font-style: normal; font-size: 12px; color: var(--muted); }
.said-tag { font-size: 11px; font-weight: 600; color: var(--need); text-transform: uppercase; margin-right: 6px;
            font-style: normal; }
p.typical .said-tag { color: var(--muted); }
.where { font-size: 12px; color: var(--muted); }
.heat td.cell { text-align: center; font-variant-numeric: tabular-nums; min-width: 56px; }
.scroll { overflow-x: auto; }
.competitors td.cell { text-align: center; font-variant-numeric: tabular-nums; min-width: 44px; }
svg.spark rect { fill: #6b8fd6; } svg.spark rect.zero { fill: #d5dbe5; }
svg.spark text { font-size: 9px; fill: var(--muted); } svg.spark line { stroke: #aab3c2; stroke-width: 1; }
section.since ul.changes { list-style: none; padding: 0; margin: 0 0 8px; }
section.since li.change { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px;
                          margin-bottom: 6px; }
.change-kind { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; color: #fff; }
.change-kind.new { background: #175cd3; } .change-kind.grew { background: var(--strong); }
.change-kind.shrank { background: var(--moderate); } .change-kind.faded { background: var(--anecdotal); }
ul.traced { font-size: 13px; } ul.traced li { margin: 4px 0; }
.hidden { display: none; }
"""

JS = """
(function () {
  function chosen(name) {
    return Array.prototype.map.call(document.querySelectorAll('input[name="' + name + '"]:checked'),
                                    function (box) { return box.value; });
  }
  function apply() {
    var segments = chosen('segment'), kinds = chosen('kind'), visible = 0;
    document.querySelectorAll('.statement').forEach(function (item) {
      var show = segments.indexOf(item.dataset.segment) >= 0 && kinds.indexOf(item.dataset.kind) >= 0;
      item.classList.toggle('hidden', !show);
    });
    document.querySelectorAll('tr.theme').forEach(function (row) {
      var shown = row.querySelectorAll('.statement:not(.hidden)').length;
      row.classList.toggle('hidden', shown === 0);
      row.querySelector('.shown').textContent = shown;
      if (shown) { visible += 1; }
    });
    document.getElementById('visible-themes').textContent = visible;
    var filtered = document.querySelectorAll('.filters input:not(:checked)').length > 0;
    var total = document.getElementById('of-total');
    total.textContent = filtered ? total.dataset.filtered : total.dataset.all;
    document.getElementById('filter-note').classList.toggle('hidden', !filtered);
  }
  document.querySelectorAll('.filters input').forEach(function (box) { box.addEventListener('change', apply); });
  apply();
  document.body.dataset.ready = 'true';
})();
"""


def _e(text: object) -> str:
    """Text for the page: control characters written out (`\\x1b`; `cat report.html` must not run them),
    then HTML-escaped."""
    return html.escape(visible(str(text)), quote=True)


def _spark(counts: tuple[int, ...], periods: list[str]) -> str:
    """Mentions per month as bars on a base line, each month's count above its bar, and the first and
    last month under it."""
    top = max(counts, default=0) or 1
    width, gap, height, above, below = 14, 3, 24, 11, 12
    parts = []
    for k, count in enumerate(counts):
        h = max(2, round(count / top * height)) if count else 2
        x, y = k * (width + gap), above + height - h
        parts.append(
            f'<rect class="{"zero" if not count else "bar"}" x="{x}" y="{y}" width="{width}" height="{h}">'
            f"<title>{_e(periods[k])}: {count}</title></rect>"
        )
        if count:
            parts.append(f'<text x="{x + width / 2:g}" y="{y - 2}" text-anchor="middle">{count}</text>')
    total_width = max(84, len(counts) * (width + gap) - gap)  # room for the two month labels
    base = above + height
    parts.append(f'<line x1="0" y1="{base + 0.5}" x2="{total_width}" y2="{base + 0.5}"></line>')
    if periods:
        parts.append(f'<text x="0" y="{base + below - 1}">{_e(periods[0])}</text>')
        if len(periods) > 1:
            parts.append(f'<text x="{total_width}" y="{base + below - 1}" text-anchor="end">{_e(periods[-1])}</text>')
    full = base + below
    return (f'<svg class="spark" width="{total_width}" height="{full}" viewBox="0 0 {total_width} {full}" '
            f'role="img" aria-label="mentions per month">{"".join(parts)}</svg>')


def _quote(statement: Statement, css: str) -> str:
    """A statement in the customer's own words, set apart, with who said it and where."""
    note = statement.note
    who = note.participant or "no participant"
    return (f'<blockquote class="{css}">“{_e(statement.text)}”<cite>{_e(who)}, {_e(note.segment)}, {_e(note.kind)}, '
            f"{_e(note.date.isoformat())} · <code>{_e(statement.place)}</code></cite></blockquote>")


def _typical(statement: Statement) -> str:
    """A theme's most typical statement, where it has no quote: plain, not set as a quote."""
    note = statement.note
    return (f'<p class="typical"><span class="said-tag">typical</span>{_e(statement.text)}<cite>'
            f"{_e(note.participant or 'no participant')}, {_e(note.segment)}, {_e(note.kind)}, "
            f"{_e(note.date.isoformat())} · <code>{_e(statement.place)}</code></cite></p>")


def _theme_row(rank: int, evidence: Evidence, report: HtmlReport) -> str:
    theme = evidence.theme
    statements = []
    for s in theme.statements:
        note = s.note
        who = note.participant or "no participant"
        said = (f'<blockquote class="said"><span class="said-tag">quote</span>“{_e(s.text)}”</blockquote>'
                if s.section == "quotes" else f'<p class="stated">{_e(s.text)}</p>')
        statements.append(
            f'<li class="statement" data-segment="{_e(note.segment)}" data-kind="{_e(note.kind)}">{said}'
            f'<div class="where">{_e(note.date.isoformat())} · {_e(note.segment)} · {_e(note.kind)} · {_e(who)} · '
            f"<code>{_e(s.place)}</code></div></li>"
        )
    segments = ", ".join(f"{_e(name)} {count}" for name, count in evidence.segments.items())
    sources = ", ".join(f"{_e(name)} {count}" for name, count in evidence.sources.items())
    return (
        f'<tr class="theme" id="{_e(theme.id)}"><td class="num">{rank}</td>'
        f'<td><strong class="label">{_e(theme.label)}</strong> <span class="muted">{_e(theme.id)}</span>'
        f"{_quote(evidence.quote, 'quote') if evidence.quote.section == 'quotes' else _typical(evidence.quote)}"
        f"<details><summary><span class=\"shown\">{len(theme.statements)}</span> of {len(theme.statements)} "
        f"statements</summary><ul>{''.join(statements)}</ul></details></td>"
        f'<td><span class="type {_e(theme.type)}">{_e(theme.type)}</span></td>'
        f'<td><span class="badge {_e(evidence.strength)}">{_e(evidence.strength)}</span></td>'
        f'<td class="num">{evidence.participants}</td><td>{segments}</td><td>{sources}</td>'
        f"<td>{_spark(report.counts.get(theme.id, ()), report.periods)}</td></tr>"
    )


def _since(report: HtmlReport) -> str:
    """What changed since the last planning: each kind of change with its themes, what changed in each,
    and the statements that made it (where they are, and the commit that added their note)."""
    found = report.changes
    if found is None:
        return ""
    shown_ids = {e.theme.id for e in report.shown}
    blocks = []
    for kind in CHANGES_SHOWN:
        items = []
        for change in (c for c in found.shown if c.change == kind):
            theme = change.evidence.theme
            label = (f'<a href="#{_e(theme.id)}">{_e(theme.label)}</a>' if change.now is not None
                     and theme.id in shown_ids else _e(theme.label))
            traced = "".join(
                f'<li>{_e(traced_line(found, t))}<br>{_e(t.statement.text)}</li>' for t in change.traced)
            items.append(
                f'<li class="change {kind}" data-change="{kind}" data-theme="{_e(theme.id)}">'
                f'<span class="change-kind {kind}">{kind}</span> <strong>{label}</strong> '
                f'<span class="muted">{_e(theme.id)}</span><div>{_e(" · ".join(change_facts(change)))}</div>'
                f"<details><summary>{len(change.traced)} statement{'s' * (len(change.traced) != 1)} behind it"
                f'</summary><ul class="traced">{traced}</ul></details></li>'
            )
        blocks.append(f"<h3>{_e(change_heading(found, kind).capitalize())}</h3>"
                      + (f'<ul class="changes">{"".join(items)}</ul>' if items else ""))
    since = found.since.given or "then"  # a revision or a date, as written
    return (
        f'<section class="since" id="since"><h2>Since {_e(since)}: what changed</h2>'
        f'<p class="muted">{_e(comparison_line(found))}. {_e(pairing_line(found))}; counts then are the evidence '
        "the notes of then held for each theme. "
        f"Unchanged: {_e(plural(found.count('unchanged')[1], 'theme'))}.</p>{''.join(blocks)}</section>"
    )


def _heat_map(report: HtmlReport) -> str:
    names = [seg.name for seg in report.segments]
    coverage = {(seg.name, row.evidence.theme.id): row.coverage for seg in report.segments for row in seg.themes}
    head = "".join(f"<th>{_e(name)}</th>" for name in names)
    rows = []
    for evidence in report.shown:
        cells = []
        for name in names:
            share = coverage.get((name, evidence.theme.id), 0.0)
            alpha = round(0.08 + 0.85 * min(1.0, share * 2), 2) if share else 0
            style = f' style="background: rgba(23, 92, 211, {alpha}); color: {"#fff" if alpha > 0.5 else "inherit"}"' if share else ""
            cells.append(f'<td class="cell"{style}>{f"{share:.0%}" if share else "·"}</td>')
        rows.append(f"<tr><td>{_e(evidence.theme.label)}</td>{''.join(cells)}</tr>")
    return (
        '<table class="heat"><thead><tr><th>Theme (share of each segment\'s participants who said it)</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _competitor_section(report: HtmlReport) -> str:
    """The competitors the notes name, each with who names it and what they say, and a competitor ×
    theme table: participants who said each theme in a note naming that competitor."""
    found = report.competitors
    if not found:
        return ('<h2 id="competitors">Competitors</h2><p class="muted">No competitors named: list them under '
                "<code>competitors:</code> in the notes' front matter.</p>")
    rows = []
    for c in found:
        themes = "; ".join(f"{_e(t.evidence.theme.label)} ({t.participants})" for t in c.themes[:3])
        quote = (f"<blockquote>{_e(c.quotes[0].text)}</blockquote><div class=\"where\"><code>{_e(c.quotes[0].place)}"
                 "</code></div>") if c.quotes else '<span class="muted">listed in front matter only</span>'
        rows.append(
            f'<tr class="competitor"><td><strong>{_e(c.name)}</strong></td><td class="num">{len(c.notes)}</td>'
            f'<td class="num">{c.participants}</td><td>{_counts(c.segments)}</td><td>{_counts(c.sources)}</td>'
            f"<td>{themes}</td><td>{quote}</td></tr>"
        )
    head = "".join(f"<th>{_e(c.name)}</th>" for c in found)
    cells = []
    for evidence in report.shown:
        if not evidence.competitors:
            continue
        row = []
        for c in found:
            count = evidence.competitors.get(c.name, 0)
            alpha = round(0.1 + 0.8 * count / evidence.participants, 2) if count else 0
            style = f' style="background: rgba(180, 35, 24, {alpha}); color: {"#fff" if alpha > 0.5 else "inherit"}"' if count else ""
            title = f"{c.name}: {count} of the {evidence.participants} participants who said it"
            row.append(f'<td class="cell" title="{_e(title)}"{style}>{count or "·"}</td>')
        cells.append(f"<tr><td>{_e(evidence.theme.label)}</td>{''.join(row)}</tr>")
    return (
        f'<h2 id="competitors">Competitors named in the notes ({len(found)})</h2>'
        '<p class="muted">A note names a competitor its front matter lists or its statements name. Participants '
        "count once per competitor; the themes are what they said in those notes.</p>"
        '<table class="competitors"><thead><tr><th>Competitor</th><th>Notes</th><th>People</th><th>Segments</th>'
        f"<th>Sources</th><th>Its customers say most</th><th>Named in</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<h2>Competitors × themes</h2>"
        '<div class="scroll"><table class="competitors heat"><thead><tr><th>Theme (participants who said it in a note '
        f"naming the competitor)</th>{head}</tr></thead><tbody>{''.join(cells)}</tbody></table></div>"
    )


def _counts(by_name: dict[str, int]) -> str:
    return ", ".join(f"{_e(name)} {count}" for name, count in by_name.items())


def render_html(report: HtmlReport) -> str:
    synthesis = report.synthesis
    notes = synthesis.notes
    segments = sorted({n.segment for n in notes})
    kinds = sorted({n.kind for n in notes})
    people = len({n.who for n in notes})
    def boxes(name: str, values: list[str]) -> str:
        return "".join(
            f'<label><input type="checkbox" name="{name}" value="{_e(v)}" checked> {_e(v)}</label>' for v in values
        )

    scope = f"{plural(len(notes), 'note')} from {plural(people, 'participant')} in {plural(len(segments), 'segment')}"
    if notes:
        scope += f", {min(n.date for n in notes)} to {max(n.date for n in notes)}"
    rows = "".join(_theme_row(rank, evidence, report) for rank, evidence in enumerate(report.shown, 1))
    total = len(synthesis.ranked)
    left = total - len(report.shown)  # none with --all; else those said once, then those beyond --top
    once = sum(1 for e in synthesis.ranked if e.mentions == 1) if left else 0
    why = ", ".join(part for part in (f"{once} said only once" if once else "",
                                      f"{left - once} beyond the top {len(report.shown)}" if left > once else "") if part)
    of_total = f"of {total} shown" + (f"; {why}" if why else "")
    since = _since(report)
    nav = ('<nav class="sections">' + ('<a href="#since">What changed</a>' if since else "")
           + '<a href="#themes">Themes</a><a href="#heatmap">Segments × themes</a>'
           + '<a href="#competitors">Competitors</a></nav>')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Customer evidence: themes</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>What customers need: themes and their evidence</h1>
<div class="muted">{_e(scope)}. Generated {report.generated.isoformat()} by custlens.</div>
<form class="filters" onsubmit="return false">
<fieldset><legend>Segments</legend>{boxes("segment", segments)}</fieldset>
<fieldset><legend>Kinds of source</legend>{boxes("kind", kinds)}</fieldset>
</form>
<p id="filter-note" class="muted hidden">Showing the statements of the segments and kinds chosen. Participants,
strength, rank, the heat map and competitors still count every note: for those of one segment or kind, run
<code>custlens report --segment S --kind K</code>.</p>
{nav}
</header>
<main>
{since}
<h2 id="themes">Themes, strongest evidence first (<span id="visible-themes">{len(report.shown)}</span> <span id="of-total"
data-all="{_e(of_total)}" data-filtered="{_e(f"of {len(report.shown)} shown have statements of the segments and kinds chosen")}">{_e(of_total)}</span>)</h2>
<p class="muted">Strong: 3+ participants from 2+ segments or through 2+ kinds of source. Moderate: 2+ participants.
Anecdotal: one participant. Under each theme, a quote in the customer's own words (or, where it has none, its
most typical statement); open a theme to read every statement behind it, with its note and date (quotes marked
as such). The bars count mentions per month.</p>
<table class="themes"><thead><tr><th>#</th><th>Theme</th><th>Type</th><th>Strength</th><th>People</th>
<th>Segments</th><th>Sources</th><th>Mentions per month{(" " + _e(report.periods[0]) + " to " + _e(report.periods[-1])) if report.periods else ""}</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2 id="heatmap">Segments × themes</h2>
{_heat_map(report)}
{_competitor_section(report)}
</main>
<script>{JS}</script>
</body>
</html>
"""
