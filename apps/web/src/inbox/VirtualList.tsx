/**
 * A windowed list of fixed-height rows: only the rows in view (plus a margin) are in the DOM, so
 * scrolling through tens of thousands of loaded tickets costs what scrolling through thirty does.
 * `onNearEnd` asks for the next page when fewer than a screenful of rows remain below.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';

export function VirtualList<T>(props: {
  items: T[];
  rowHeight: number;
  renderRow(item: T, index: number): React.ReactNode;
  onNearEnd?(): void;
  /** Keep this row in view (the keyboard cursor). */
  activeIndex?: number;
  initialScrollTop?: number;
  onScrollTop?(top: number): void;
  footer?: React.ReactNode;
  label: string;
}) {
  const { items, rowHeight } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(props.initialScrollTop ?? 0);
  const [height, setHeight] = useState(800);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (props.initialScrollTop) el.scrollTop = props.initialScrollTop;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
    // Only on mount: later scroll positions belong to the user.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const el = ref.current;
    const i = props.activeIndex;
    if (!el || i === undefined || i < 0) return;
    const top = i * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [props.activeIndex, rowHeight]);

  const overscan = 10;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (props.onNearEnd && last >= items.length - Math.ceil(height / rowHeight)) props.onNearEnd();
  }, [last, items.length, height, rowHeight, props.onNearEnd]);

  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {props.renderRow(items[i]!, i)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className="vlist"
      role="list"
      aria-label={props.label}
      onScroll={(e) => {
        const top = e.currentTarget.scrollTop;
        setScrollTop(top);
        props.onScrollTop?.(top);
      }}
    >
      <div className="vlist-inner" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
      {props.footer}
    </div>
  );
}
