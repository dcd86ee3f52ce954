import { currentCursor, FIRST_PAGE, nextPage, pageIndex, pageRange, previousPage } from './pager';

describe('the pager', () => {
  it('walks forward with end cursors and back to the first page', () => {
    let pager = FIRST_PAGE;
    expect(currentCursor(pager)).toBeNull();
    pager = nextPage(pager, 'c20');
    pager = nextPage(pager, 'c40');
    expect(currentCursor(pager)).toBe('c40');
    expect(pageIndex(pager)).toBe(2);
    pager = previousPage(pager);
    expect(currentCursor(pager)).toBe('c20');
    pager = previousPage(previousPage(pager));
    expect(pager).toEqual(FIRST_PAGE);
  });

  it('stays put without an end cursor', () => {
    expect(nextPage(FIRST_PAGE, null)).toBe(FIRST_PAGE);
  });

  it('describes the range shown', () => {
    expect(pageRange(nextPage(FIRST_PAGE, 'c'), 20, 20, 389)).toBe('21–40 of 389');
    expect(pageRange(FIRST_PAGE, 20, 0, 0)).toBe('No customers');
  });
});
