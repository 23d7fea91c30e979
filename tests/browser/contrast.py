"""WCAG contrast of rendered text, measured in the browser (shared by the widget and console tests)."""
from __future__ import annotations

from typing import List

from playwright.sync_api import Page

# For every visible element with its own text under `selector`: the contrast ratio of its
# colour against the first opaque background up the tree; returns those below 4.5:1.
_CONTRAST_SCRIPT = """
(selector) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const node of document.querySelectorAll(selector)) {
    const ownText = [...node.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !node.offsetParent || node.disabled) continue;
    const a = lum(rgb(getComputedStyle(node).color)), b = lum(background(node));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) failures.push(node.tagName + '.' + node.className + ' "' + node.textContent.slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return failures;
}
"""


def low_contrast_texts(page: Page, selector: str) -> List[str]:
    """Texts under `selector` with a contrast ratio below 4.5:1 (empty when all pass)."""
    return page.evaluate(_CONTRAST_SCRIPT, selector)
