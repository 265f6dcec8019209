"""Printed glyph sizes of a PDF, page by page, for tests/integration/render.rs.

For every page: the smallest size of a glyph in the body, the smallest in the
page header and footer (the top and bottom margins), and the page's first
characters. A glyph's size is pdfminer's: the font size times the text and
page matrices' scale, so it is the size on paper whatever the font's metrics
and however a spreadsheet's fit-to-page scaled the sheet. Blank glyphs are left
out. Prints one tab-separated line a page: page, body, edges, text.

Usage: glyph_sizes.py FILE.pdf MARGIN_TOP_PT MARGIN_BOTTOM_PT
"""
import sys

from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar


def glyphs(item):
    if isinstance(item, LTChar):
        yield item
    elif hasattr(item, "__iter__"):
        for child in item:
            yield from glyphs(child)


def main():
    path, top, bottom = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    for number, page in enumerate(extract_pages(path), 1):
        body, edges, text = [], [], []
        for glyph in glyphs(page):
            if not glyph.get_text().strip():
                continue
            middle = (glyph.y0 + glyph.y1) / 2
            if middle > page.height - top or middle < bottom:
                edges.append(glyph.size)
            else:
                body.append(glyph.size)
                text.append(glyph.get_text())
        print(
            f"{number}\t{min(body, default=0):.2f}\t{min(edges, default=0):.2f}\t"
            + "".join(text)[:60].replace("\t", " ").replace("\n", " ")
        )


main()
