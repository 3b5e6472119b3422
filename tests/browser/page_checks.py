"""What a phone reader meets on a page, measured in the browser: sideways scroll, targets too
small to tap, English words left in a Kazakh or Russian page, accessibility violations.

Plain functions over a Playwright page, shared by tests/browser/test_phone_checks.py and by
anyone checking a page by hand (``python -m tests.browser.page_checks URL``).
"""

from __future__ import annotations

import re
from functools import cache

from tests.helpers import PROJECT_DIR

MIN_TARGET = 44  # CSS px: the project's rule for every control (WCAG 2.5.5's size)

# Controls a finger must hit. Links inside running text are exempt (WCAG's inline exception).
_TARGETS_SCRIPT = """(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
                 + '[role=button], [role=tab], [role=link], [tabindex]:not([tabindex="-1"])';
  const seen = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (el.closest('[aria-hidden=true], .leaflet-marker-pane, .leaflet-overlay-pane')) continue;
    // A label wrapping a checkbox or radio makes the label the target.
    let target = box;
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
    if (label && (el.type === 'checkbox' || el.type === 'radio')) {
      const around = label.getBoundingClientRect();
      target = {left: Math.min(box.left, around.left), top: Math.min(box.top, around.top),
                right: Math.max(box.right, around.right), bottom: Math.max(box.bottom, around.bottom)};
      target.width = target.right - target.left; target.height = target.bottom - target.top;
    }
    // Inline exception: a link inside a sentence, its text flowing with other text.
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p, li, td, dd, figcaption, small, .note');
      if (block && block.textContent.trim().length > el.textContent.trim().length + 10) continue;
    }
    seen.push({el, box: target, name: (el.getAttribute('aria-label') || el.textContent || el.name
                || el.id || el.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40),
               tag: el.tagName.toLowerCase(), cls: el.className && String(el.className).slice(0, 40)});
  }
  const small = [];
  for (const a of seen) {
    if (a.box.width >= minimum && a.box.height >= minimum) continue;
    // Spacing exception: a circle of `minimum` px centred on the target touches no other target.
    const cx = (a.box.left + a.box.right) / 2, cy = (a.box.top + a.box.bottom) / 2, r = minimum / 2;
    const crowded = seen.some(b => {
      if (b === a || b.el.contains(a.el) || a.el.contains(b.el)) return false;
      const nx = Math.max(b.box.left, Math.min(cx, b.box.right));
      const ny = Math.max(b.box.top, Math.min(cy, b.box.bottom));
      return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r;
    });
    if (crowded) small.push(`${a.tag}${a.cls ? '.' + a.cls : ''} "${a.name}" ${Math.round(a.box.width)}x${Math.round(a.box.height)}`);
  }
  return small;
}"""


def horizontal_overflow(page) -> int:
    """How many CSS px the page scrolls sideways (0 on a page that fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def small_targets(page, minimum: int = MIN_TARGET) -> list[str]:
    """Controls under ``minimum`` px on a side that have another control within reach."""
    return page.evaluate(_TARGETS_SCRIPT, minimum)


# Words that read the same in every language of the site (names, formats, abbreviations).
SAME_IN_EVERY_LANGUAGE = {"api", "csv", "xlsx", "json", "bin", "openstreetmap", "leaflet", "kato", "id",
                          "ok", "e-mail", "email", "oc4ids", "atom", "qr", "english", "pdf", "url", "ip"}


@cache
def interface_words() -> frozenset[str]:
    """The English labels of the interface: short messages (one to three words) of the catalogue
    whose Kazakh and Russian translations differ from them."""
    import polib

    words = set()
    catalogues = {lang: polib.pofile(str(PROJECT_DIR / f"translations/{lang}/LC_MESSAGES/messages.po"))
                  for lang in ("kk", "ru")}
    translated = {lang: {e.msgid: e.msgstr for e in po} for lang, po in catalogues.items()}
    for entry in catalogues["ru"]:
        text = entry.msgid.strip()
        if "%" in text or "{" in text or not re.fullmatch(r"[A-Za-z][A-Za-z' -]{3,40}", text):
            continue
        if len(text.split()) > 3 or text.lower() in SAME_IN_EVERY_LANGUAGE:
            continue
        if all(translated[lang].get(entry.msgid, "") not in ("", entry.msgid) for lang in ("kk", "ru")):
            words.add(text)
    # Words that come from outside the catalogue: the map library's controls, the browser's file input.
    words.update({"Zoom in", "Zoom out", "Choose file", "No file chosen", "places", "visits per shift",
                  "resident", "residents"})
    return frozenset(words)


_VISIBLE_TEXT = """() => {
  const parts = [document.body.innerText];
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], input[type=submit], input[type=button]'))
    parts.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '',
               el.getAttribute('placeholder') || '', el.value || '');
  return parts.join('\\n');
}"""


def english_words(page) -> list[str]:
    """Interface labels in English found in the page's text, titles, labels and placeholders."""
    text = page.evaluate(_VISIBLE_TEXT)
    found = []
    for word in sorted(interface_words()):
        if re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text):
            found.append(word)
    return found


def serious_accessibility_violations(page) -> list[str]:
    """Run axe-core (vendored from npm) on the page; describe serious or critical violations."""
    # From the app's own static folder: the pages' CSP refuses an injected inline script.
    origin = page.evaluate("window.location.origin")
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


if __name__ == "__main__":
    import sys

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for url in sys.argv[1:]:
            for lang in ("kk", "ru"):
                for width, height in ((375, 740), (1280, 800)):
                    context = browser.new_context(viewport={"width": width, "height": height}, locale=lang,
                                                  extra_http_headers={"Accept-Language": lang})
                    page = context.new_page()
                    page.goto(url, wait_until="networkidle")
                    print(f"== {url} {lang} {width}: overflow {horizontal_overflow(page)} px")
                    for kind, found in (("small", small_targets(page)), ("english", english_words(page)),
                                        ("axe", serious_accessibility_violations(page))):
                        for item in found:
                            print(f"   {kind}: {item}")
                    context.close()
        browser.close()
