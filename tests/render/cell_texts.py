"""Every printed cell of a workbook's lists, compared with the workbook: for
tests/integration/render.rs.

A row too short for its text loses lines on paper: LibreOffice draws the
lines that start inside the cell, cut at its border, and leaves out the rest.
So for each list sheet named, every table row under the header is found on the
printed pages (the cells between the borders LibreOffice draws, in order,
page after page, the repeated header skipped), and each cell's printed text
must be the workbook's, whole, with every glyph inside its cell's borders; and
no row may keep a line's height or more empty under its deepest cell.

Prints one line per difference, then one summary line per sheet:
`SHEET<TAB>rows<TAB>cells<TAB>pages`.

Usage: cell_texts.py WORKBOOK.xlsx FILE.pdf SHEET=TITLE ...
(TITLE: the words of the sheet's page header between 》 and ·.)
"""
import datetime
import re
import sys

import openpyxl
from openpyxl.utils import range_boundaries
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve, LTLine, LTRect

# How far, in points, a glyph may stand past its cell's border (line widths).
SLACK = 0.6


def squash(text):
    return "".join(str(text).split())


def shown(value):
    """A cell's value as the workbook shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def expected_rows(ws):
    """The rows under the repeated header: each a list of (column title, text)."""
    header = int(re.match(r"\$?(\d+)", ws.print_title_rows.split(":")[0]).group(1))
    last_col = ws.max_column
    if ws.print_area:
        area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
        _, _, last_col, _ = range_boundaries(area.split("!")[-1].replace("$", ""))
    spans = {}
    covered = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = rng.max_col
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    titles = [shown(ws.cell(header, c).value) for c in range(1, last_col + 1)]
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        cells = []
        for c in range(1, last_col + 1):
            if (r, c) in covered:
                continue
            cells.append((titles[c - 1], shown(ws.cell(r, c).value)))
        rows.append((r, cells))
    return titles, rows


def walk(item):
    yield item
    if hasattr(item, "__iter__"):
        for child in item:
            yield from walk(child)


def page_bands(page):
    """The bordered rows of a page, top down: each a list of cells, each the
    glyphs between its borders."""
    horizontal, vertical, glyphs = set(), [], []
    for item in walk(page):
        if isinstance(item, LTChar):
            if item.get_text().strip():
                glyphs.append(item)
        elif isinstance(item, (LTRect, LTLine, LTCurve)):
            if abs(item.y1 - item.y0) < 1.5:
                horizontal.add(round((item.y0 + item.y1) / 2, 1))
            elif abs(item.x1 - item.x0) < 1.5:
                vertical.append(((item.x0 + item.x1) / 2, item.y0, item.y1))
    ys = sorted(horizontal, reverse=True)
    bands = []
    for top, bottom in zip(ys, ys[1:]):
        if top - bottom < 3:
            continue
        middle = (top + bottom) / 2
        xs = sorted({round(x, 1) for x, y0, y1 in vertical if y0 - 1 < middle < y1 + 1})
        if len(xs) < 2:
            continue
        cells = []
        for left, right in zip(xs, xs[1:]):
            inside = [
                g
                for g in glyphs
                if left - SLACK <= (g.x0 + g.x1) / 2 < right
                and bottom - SLACK < (g.y0 + g.y1) / 2 < top
            ]
            cells.append((left, right, inside))
        bands.append((top, bottom, cells))
    return bands


def cell_text(glyphs):
    lines = {}
    for g in glyphs:
        lines.setdefault(round(g.y1), []).append(g)
    return "".join(
        "".join(g.get_text() for g in sorted(lines[y], key=lambda g: g.x0))
        for y in sorted(lines, reverse=True)
    )


def main():
    workbook, pdf, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
    wb = openpyxl.load_workbook(workbook)
    pages = list(extract_pages(pdf))
    page_texts = [
        squash("".join(g.get_text() for g in walk(p) if isinstance(g, LTChar)))
        for p in pages
    ]
    for item in wanted:
        sheet, title = item.split("=", 1)
        ws = wb[sheet]
        titles, rows = expected_rows(ws)
        header = squash("".join(titles))
        mine = [i for i, t in enumerate(page_texts) if f"》{squash(title)}·" in t]
        printed = []
        for i in mine:
            for top, bottom, cells in page_bands(pages[i]):
                text = squash("".join(cell_text(g) for _, _, g in cells))
                if text == header:
                    continue
                printed.append((i + 1, top, bottom, cells))
        compared = 0
        if len(printed) != len(rows):
            print(f"{sheet}\t{len(rows)} rows in the workbook, {len(printed)} printed")
        for (r, want), (page, top, bottom, cells) in zip(rows, printed):
            glyphs = [g for _, _, cell in cells for g in cell]
            if glyphs:
                # Chinese lines are 1.448 ems apart in LibreOffice's fallback font.
                line = max(g.size for g in glyphs) * 1.448
                spare = min(g.y0 for g in glyphs) - bottom
                if spare >= line:
                    print(f"{sheet}\trow {r} (page {page}): {spare:.1f} points empty under its text, a line is {line:.1f}")
            if len(want) != len(cells):
                print(f"{sheet}\trow {r} (page {page}): {len(want)} cells, {len(cells)} printed")
                continue
            for (column, text), (left, right, glyphs) in zip(want, cells):
                compared += 1
                got = squash(cell_text(glyphs))
                if got != squash(text):
                    print(f"{sheet}\trow {r} {column} (page {page}): printed {got!r}, holds {squash(text)!r}")
                out = [
                    g
                    for g in glyphs
                    if g.y0 < bottom - SLACK or g.y1 > top + SLACK or g.x1 > right + SLACK or g.x0 < left - SLACK
                ]
                if out:
                    g = out[0]
                    print(
                        f"{sheet}\trow {r} {column} (page {page}): {len(out)} glyph(s) past the border, "
                        f"{g.get_text()!r} at {g.y0:.1f}..{g.y1:.1f} in {bottom:.1f}..{top:.1f}"
                    )
        print(f"{sheet}\t{len(rows)}\t{compared}\t{len(mine)}")


main()
