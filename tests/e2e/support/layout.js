// Layout checks that axe cannot make: fields one can see, labels that cover no other text.

/**
 * Returns a list of problems on the current page:
 * - a visible text field (input, textarea: where one types) with no visible edge: no border
 *   on any side, no box-shadow, no background different from its container's (a select is
 *   left out: its arrow already shows it);
 * - a label whose text is drawn over other text of the page (its text box overlaps another
 *   by more than half its height, and by more than `tolerancePx` across).
 */
export async function layoutProblems(page, { tolerancePx = 4 } = {}) {
  return page.evaluate((tol) => {
    const problems = [];
    const describe = (el) => {
      const id = el.id ? `#${el.id}` : '';
      const type = el.getAttribute('type') ? `[type=${el.getAttribute('type')}]` : '';
      const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${id}${type}>${text && !/^(input|select|textarea)$/i.test(el.tagName) ? ` "${text}"` : ''}`;
    };
    // Shown on screen: not display:none, not transparent, and not "visually hidden" (a
    // 1-pixel clipped box kept for screen readers, Bootstrap's .visually-hidden).
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const c = getComputedStyle(el);
      if (!(r.width > 0 && r.height > 0 && c.visibility !== 'hidden' && c.display !== 'none' && Number(c.opacity) > 0)) {
        return false;
      }
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        const ac = getComputedStyle(a);
        const ar = a.getBoundingClientRect();
        const clipped = (ac.clip && ac.clip !== 'auto') || (ac.clipPath && ac.clipPath !== 'none') || ac.overflow === 'hidden';
        if (clipped && (ar.width <= 1 || ar.height <= 1)) return false;
      }
      return true;
    };

    // 1. Fields without a visible edge.
    const fields = document.querySelectorAll(
      'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]):not([type=file]):not([type=range]):not([type=color]), main textarea',
    );
    for (const f of fields) {
      if (!visible(f)) continue;
      const c = getComputedStyle(f);
      const edge = ['Top', 'Right', 'Bottom', 'Left'].some(
        (s) => parseFloat(c[`border${s}Width`]) > 0 && c[`border${s}Style`] !== 'none' && c[`border${s}Style`] !== 'hidden' && !/rgba\(.*,\s*0\)$/.test(c[`border${s}Color`]),
      );
      const shadow = c.boxShadow && c.boxShadow !== 'none';
      const parentBg = getComputedStyle(f.parentElement).backgroundColor;
      const filled = c.backgroundColor !== parentBg && !/rgba\(.*,\s*0\)$/.test(c.backgroundColor) && c.backgroundColor !== 'rgb(255, 255, 255)';
      if (!edge && !shadow && !filled) problems.push(`text field ${describe(f)} has no visible edge (no border, shadow or background)`);
    }

    // 2. Labels whose text covers other text. Text boxes come from Ranges over text nodes,
    // which measure the glyphs' line box (not the element's line-height or padding).
    const textRects = (root) => {
      const out = [];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim() || !visible(n.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) out.push({ r, el: n.parentElement });
      }
      return out;
    };
    const main = document.querySelector('main');
    if (main) {
      const all = textRects(main);
      for (const label of main.querySelectorAll('label')) {
        if (!visible(label)) continue;
        const own = textRects(label);
        for (const { r: a } of own) {
          for (const { r: b, el } of all) {
            if (label.contains(el) || el.contains(label)) continue;
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            // Text boxes include the font's ascent and descent areas, which stay blank
            // for most glyphs: only an overlap over half the label's height is a collision.
            if (w > tol && h > Math.max(tol, a.height / 2)) {
              problems.push(
                `label ${describe(label)} overlaps ${describe(el)} by ${Math.round(w)}×${Math.round(h)} px`,
              );
            }
          }
        }
      }
    }
    return [...new Set(problems)];
  }, tolerancePx);
}
