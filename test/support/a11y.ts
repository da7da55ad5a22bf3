import type { Page } from 'playwright-core';

// Accessibility basics for the dashboard, computed inside the page so they see what
// chromium rendered: names of form controls, image alt text, WCAG AA text contrast, the
// document's lang and title, and headings. Each violation is one sentence naming the
// element, so a test reads `expect(await accessibilityViolations(page)).toEqual([])`.
//
// Written here rather than injecting axe-core: these are exactly the five checks we want,
// with messages in our own style, and nothing ever comes back "incomplete". What it does
// not do: it takes a text's background from its ancestors only (text over an absolutely
// positioned sibling is judged against what is behind that sibling) and skips text over a
// background image or gradient, whose contrast cannot be known from one colour.

/** One sentence per problem, in a stable order: document, headings, controls, images, contrast. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // The function runs in the page from its source, so everything it needs is defined inside
  // it. esbuild with keepNames (tsx does this) wraps inner functions in `__name(fn, "name")`,
  // a helper that exists only in Node; the page gets a no-op one.
  return page.evaluate<string[]>(`(() => { const __name = (f) => f; return (${auditInPage.toString()})(); })()`);
}

type Rgba = [number, number, number, number];

function auditInPage(): string[] {
  const out: string[] = [];
  const doc = document;

  const visible = (el: Element): boolean => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const clean = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();
  const snippet = (s: string): string => (s.length > 40 ? `${s.slice(0, 39)}…` : s);

  // `tag#id`, or `tag.class.class` after the nearest ancestor's id (a descendant selector),
  // plus the attributes that tell controls and images apart.
  const describe = (el: Element): string => {
    let d = el.tagName.toLowerCase();
    const scope = el.id ? null : el.parentElement?.closest('[id]');
    if (scope) d = `#${scope.id} ${d}`;
    if (el.id) d += `#${el.id}`;
    else for (const c of Array.from(el.classList).slice(0, 2)) d += `.${c}`;
    for (const a of ['type', 'name', 'src']) {
      let v = el.getAttribute(a);
      if (v && a === 'src') v = v.startsWith('data:') ? v.split(/[;,]/)[0]! : snippet(v.split('?')[0]!.split('/').pop()!);
      if (v) d += `[${a}=${v}]`;
    }
    return `\`${d}\``;
  };

  // The text a subtree contributes to a name: its text, and the alt or aria-label of what it holds.
  const subtreeText = (root: Element): string => {
    const parts: string[] = [];
    const walk = (n: Node): void => {
      if (n.nodeType === Node.TEXT_NODE) parts.push(n.textContent ?? '');
      if (n.nodeType !== Node.ELEMENT_NODE) return;
      const el = n as Element;
      if (el.getAttribute('aria-hidden') === 'true') return;
      const label = clean(el.getAttribute('aria-label'));
      if (el !== root && label) return void parts.push(label);
      if (el.tagName === 'IMG') return void parts.push(el.getAttribute('alt') ?? '');
      el.childNodes.forEach(walk);
    };
    walk(root);
    return clean(parts.join(' '));
  };

  const accessibleName = (el: HTMLElement): string => {
    const labelledBy = clean(el.getAttribute('aria-labelledby'));
    if (labelledBy) {
      const text = clean(
        labelledBy
          .split(' ')
          .map((id) => {
            const t = doc.getElementById(id);
            return t ? subtreeText(t) : '';
          })
          .join(' '),
      );
      if (text) return text;
    }
    const aria = clean(el.getAttribute('aria-label'));
    if (aria) return aria;
    const labels = (el as HTMLInputElement).labels;
    const fromLabels = clean(
      Array.from(labels ?? [])
        .map(subtreeText)
        .join(' '),
    );
    if (fromLabels) return fromLabels;
    if (el instanceof HTMLInputElement) {
      if (el.type === 'image') return clean(el.alt);
      if (['submit', 'reset', 'button'].includes(el.type)) return clean(el.value) || (el.type === 'button' ? '' : el.type);
    }
    if (el instanceof HTMLButtonElement) {
      const text = subtreeText(el);
      if (text) return text;
    }
    return clean(el.title);
  };

  // (d) lang and title.
  if (!clean(doc.documentElement.getAttribute('lang'))) out.push('The document has no lang attribute on <html>: screen readers cannot pick a voice for it.');
  if (!clean(doc.title)) out.push('The document has no <title>: tabs, bookmarks and screen readers have nothing to call it.');

  // (e) headings.
  const headings = Array.from(doc.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')).filter(visible);
  if (headings.length === 0) out.push('The page has no visible headings (h1–h6): screen-reader users navigate by them.');

  // (a) every form control has a name.
  const hint = (el: HTMLElement): string =>
    el instanceof HTMLButtonElement ? ', or text' : el instanceof HTMLInputElement && el.type === 'image' ? ', or alt' : el instanceof HTMLInputElement && el.type === 'button' ? ', or a value' : '';
  for (const el of Array.from(doc.querySelectorAll<HTMLElement>('input, select, textarea, button'))) {
    if ((el instanceof HTMLInputElement && el.type === 'hidden') || !visible(el)) continue;
    if (!accessibleName(el)) out.push(`Form control ${describe(el)} has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby${hint(el)}.`);
  }

  // (b) every image has alt (alt="" marks a decorative one).
  for (const img of Array.from(doc.querySelectorAll('img'))) {
    if (img.hasAttribute('alt') || clean(img.getAttribute('aria-label')) || clean(img.getAttribute('aria-labelledby'))) continue;
    if (['presentation', 'none'].includes(img.getAttribute('role') ?? '') || img.closest('[aria-hidden=true]')) continue;
    out.push(`Image ${describe(img)} has no alt attribute: describe it in alt, or set alt="" if it is decorative.`);
  }

  // (c) contrast. Any CSS colour (rgb, oklch, color(), system colours) becomes sRGB bytes by
  // painting one pixel of a canvas with it.
  const ctx = doc.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('The accessibility check needs a 2D canvas to read colours, and this page has none.');
  const rgbaCache = new Map<string, Rgba>();
  const rgba = (css: string): Rgba => {
    let c = rgbaCache.get(css);
    if (!c) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r = 0, g = 0, b = 0, a = 0] = ctx.getImageData(0, 0, 1, 1).data;
      c = [r, g, b, a / 255];
      rgbaCache.set(css, c);
    }
    return c;
  };
  const over = (top: Rgba, under: Rgba): Rgba => [0, 1, 2].map((i) => top[i]! * top[3] + under[i]! * (1 - top[3])).concat(1) as Rgba;
  const hex = (c: Rgba): string =>
    `#${c
      .slice(0, 3)
      .map((v) => Math.round(v).toString(16).padStart(2, '0'))
      .join('')}`;
  const luminance = (c: Rgba): number => {
    const [r = 0, g = 0, b = 0] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };

  // Where no ancestor paints a background, text sits on the canvas, whose colour follows the
  // root's color-scheme (white in light, near-black in dark); a probe under <html> reads it.
  const probe = doc.createElement('div');
  probe.style.cssText = 'position:absolute;width:0;height:0;background-color:Canvas';
  doc.documentElement.appendChild(probe);
  const [cr, cg, cb] = rgba(getComputedStyle(probe).backgroundColor);
  probe.remove();
  const canvasColour: Rgba = [cr, cg, cb, 1];

  // The colour behind `el`: its own and its ancestors' backgrounds composited down to the
  // first opaque one; undefined when a background image is in the way.
  const backgroundOf = (el: Element): Rgba | undefined => {
    const layers: Rgba[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== 'none') return undefined;
      const c = rgba(style.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = canvasColour;
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };

  const checked = new Set<Element>();
  const walker = doc.createTreeWalker(doc.body ?? doc.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = clean(n.textContent);
    const parent = n.parentElement;
    if (!text || !parent) continue;
    // An option's text is drawn by its select; a disabled control's text is exempt from WCAG 1.4.3.
    const el = parent.closest('select') ?? parent;
    if (checked.has(el)) continue;
    checked.add(el);
    if (!visible(el) || el.closest(':disabled, [aria-disabled=true]')) continue;
    const bg = backgroundOf(el);
    if (!bg) continue;
    const style = getComputedStyle(el);
    let opacity = 1;
    for (let e: Element | null = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
    const fgRaw = rgba(style.color);
    const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg);
    const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a) as [number, number];
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const min = large ? 3 : 4.5;
    if (ratio < min) {
      out.push(
        `Text in ${describe(el)} ("${snippet(text)}") has contrast ${(Math.floor(ratio * 100) / 100).toFixed(2)}:1 ` +
          `(${hex(fg)} on ${hex(bg)}), below the ${min}:1 WCAG AA minimum for ${large ? 'large' : 'normal'} text.`,
      );
    }
  }
  return out;
}
