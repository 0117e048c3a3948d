import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** What Chromium exposes for input, select, textarea, button, a[href] and the tabs. */
const CONTROL_ROLES = new Set([
  'button',
  'checkbox',
  'combobox',
  'link',
  'listbox',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
]);

/**
 * The controls of the page that have no accessible name, as Chromium computes it (labels,
 * aria-label, aria-labelledby, text): each described by its tag and attributes.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const unnamed = nodes.filter(
      (node) =>
        !node.ignored &&
        CONTROL_ROLES.has(String(node.role?.value ?? '')) &&
        String(node.name?.value ?? '').trim() === '',
    );
    const described: string[] = [];
    for (const node of unnamed) {
      if (node.backendDOMNodeId === undefined) {
        described.push(`${String(node.role?.value)} (no DOM node)`);
        continue;
      }
      const { node: element } = await cdp.send('DOM.describeNode', {
        backendNodeId: node.backendDOMNodeId,
      });
      const attributes = element.attributes ?? [];
      const pairs: string[] = [];
      for (let i = 0; i < attributes.length; i += 2)
        pairs.push(`${attributes[i]}="${attributes[i + 1]}"`);
      described.push(`${String(node.role?.value)} <${element.localName} ${pairs.join(' ')}>`);
    }
    return described;
  } finally {
    await cdp.detach();
  }
}

/**
 * The page fits its window: the document does not scroll sideways, every control has a
 * name, and each of `controls` is visible and lies within the window's width (not cut off
 * at the right, not only reachable by scrolling a table). Soft assertions: one run lists
 * every page that fails.
 */
export async function expectFits(page: Page, where: string, controls: Locator[]): Promise<void> {
  for (const control of controls) await control.waitFor({ state: 'visible' });
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => {
    const innerWidth = window.innerWidth;
    // The outermost elements that reach past the window's right edge: what to fix.
    const wide: string[] = [];
    const visit = (element: Element) => {
      const box = element.getBoundingClientRect();
      if (box.right > innerWidth + 1 && box.width > 0) {
        const classes = [...element.classList].map((c) => `.${c}`).join('');
        wide.push(`${element.localName}${classes} (right edge ${Math.round(box.right)})`);
        return;
      }
      const style = getComputedStyle(element);
      if (style.overflowX !== 'visible' && element !== document.body) return;
      for (const child of element.children) visit(child);
    };
    visit(document.body);
    return { scrollWidth: document.scrollingElement?.scrollWidth ?? 0, innerWidth, wide };
  });
  expect
    .soft(scrollWidth, `${where}: the document is wider than the window: ${wide.join(', ')}`)
    .toBeLessThanOrEqual(innerWidth + 1);
  for (const control of controls) {
    const box = await control.boundingBox();
    expect.soft(box, `${where}: ${control} has no box`).not.toBeNull();
    if (!box) continue;
    expect.soft(box.x, `${where}: ${control} starts left of the window`).toBeGreaterThanOrEqual(-1);
    expect
      .soft(box.x + box.width, `${where}: ${control} ends right of the window`)
      .toBeLessThanOrEqual(innerWidth + 1);
    expect.soft(await clippedBy(control), `${where}: ${control} is cut off`).toBe('');
  }
  expect.soft(await unnamedControls(page), `${where}: controls without a name`).toEqual([]);
}

/** What cuts the element (or its text) off at its left or right, or ''. */
function clippedBy(control: Locator): Promise<string> {
  return control.evaluate((element) => {
    // Text cut off with an ellipsis; a field or a code view scrolls its text instead.
    if (
      !element.matches('input, textarea, select') &&
      ['hidden', 'clip'].includes(getComputedStyle(element).overflowX) &&
      element.scrollWidth > element.clientWidth + 1
    )
      return 'its own box, too narrow for its text';
    const box = element.getBoundingClientRect();
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (parent === document.body || parent === document.documentElement) break;
      if (getComputedStyle(parent).overflowX === 'visible') continue;
      const frame = parent.getBoundingClientRect();
      const left = frame.left + parent.clientLeft;
      const right = left + parent.clientWidth;
      if (box.left < left - 1 || box.right > right + 1) {
        const classes = [...parent.classList].map((c) => `.${c}`).join('');
        return `${parent.localName}${classes}`;
      }
    }
    return '';
  });
}

export interface FocusState {
  /** tag#id.class "name" of the focused element; 'body' when nothing is. */
  element: string;
  /** :focus-visible applies, and an outline or a box shadow is drawn that no ancestor clips. */
  indicated: boolean;
  why: string;
}

/** What has the focus, and whether a focus indicator shows it. */
export function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body)
      return { element: 'body', indicated: false, why: 'nothing has the focus' };
    const name =
      element.getAttribute('aria-label') ?? (element.textContent ?? '').trim().slice(0, 40);
    const classes = [...element.classList].map((c) => `.${c}`).join('');
    const label = `${element.localName}${element.id ? `#${element.id}` : ''}${classes} "${name}"`;
    if (!element.matches(':focus-visible'))
      return { element: label, indicated: false, why: ':focus-visible does not apply' };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' ? Number.parseFloat(style.outlineWidth) : 0;
    const shadow = style.boxShadow !== 'none';
    if (outline <= 0 && !shadow)
      return { element: label, indicated: false, why: 'neither outline nor box shadow' };
    if (outline <= 0) return { element: label, indicated: true, why: 'box shadow' };
    // The outline is drawn around the border box, `outline-offset` away; an ancestor that
    // clips its overflow must leave that ring inside its padding box.
    const ring = outline + Number.parseFloat(style.outlineOffset);
    const box = element.getBoundingClientRect();
    const outer = {
      left: box.left - ring,
      top: box.top - ring,
      right: box.right + ring,
      bottom: box.bottom + ring,
    };
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const parentStyle = getComputedStyle(parent);
      if (parentStyle.overflowX === 'visible' && parentStyle.overflowY === 'visible') continue;
      if (parent === document.documentElement || parent === document.body) continue;
      const frame = parent.getBoundingClientRect();
      const clip = {
        left: frame.left + parent.clientLeft,
        top: frame.top + parent.clientTop,
        right: frame.left + parent.clientLeft + parent.clientWidth,
        bottom: frame.top + parent.clientTop + parent.clientHeight,
      };
      const clipped =
        (parentStyle.overflowX !== 'visible' &&
          (outer.left < clip.left - 0.5 || outer.right > clip.right + 0.5)) ||
        (parentStyle.overflowY !== 'visible' &&
          (outer.top < clip.top - 0.5 || outer.bottom > clip.bottom + 0.5));
      if (clipped) {
        const parentClasses = [...parent.classList].map((c) => `.${c}`).join('');
        return {
          element: label,
          indicated: false,
          why: `the outline is clipped by ${parent.localName}${parentClasses}`,
        };
      }
    }
    return { element: label, indicated: true, why: 'outline' };
  });
}

/** Whether `target` (one of the elements it matches) has the focus. */
export async function hasFocus(target: Locator): Promise<boolean> {
  return target.evaluateAll((elements) =>
    elements.some((element) => element === document.activeElement),
  );
}

/** The focus is on `target`, and a focus indicator shows it. */
export async function expectFocusOn(page: Page, target: Locator): Promise<void> {
  const state = await focusState(page);
  expect(await hasFocus(target), `the focus is on ${state.element}, not on ${target}`).toBe(true);
  expect(state.indicated, `no focus indicator on ${state.element}: ${state.why}`).toBe(true);
}

/** Whether the focus is inside `container` (a dialog that must keep it). */
export async function holdsFocus(container: Locator): Promise<boolean> {
  return container.evaluate((element) => element.contains(document.activeElement));
}

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, as a keyboard user moves through
 * the page. Every element the focus passes must show a focus indicator and, with `within`,
 * lie inside that container (a modal dialog).
 */
export async function tabTo(
  page: Page,
  target: Locator,
  options: { back?: boolean; max?: number; within?: Locator } = {},
): Promise<void> {
  const key = options.back ? 'Shift+Tab' : 'Tab';
  const max = options.max ?? 60;
  await target.waitFor({ state: 'visible' });
  const passed: string[] = [];
  for (let presses = 0; presses <= max; presses += 1) {
    const state = await focusState(page);
    if (options.within)
      expect(
        await holdsFocus(options.within),
        `the focus left ${options.within} for ${state.element}`,
      ).toBe(true);
    if (await hasFocus(target)) return expectFocusOn(page, target);
    if (presses > 0) {
      passed.push(state.element);
      if (state.element !== 'body')
        expect(state.indicated, `no focus indicator on ${state.element}: ${state.why}`).toBe(true);
    }
    await page.keyboard.press(key);
  }
  throw new Error(
    `${max} presses of ${key} did not reach ${target}; the focus went ${passed.join(' → ')}`,
  );
}

/** The element's top edge in the document (not the window): what a layout jump moves. */
export function documentTop(target: Locator): Promise<number> {
  return target.evaluate((element) => element.getBoundingClientRect().top + window.scrollY);
}
