// Maps offsets of the rewritten template back to the text the user wrote, so that errors
// raised by liquidjs on the rewritten source point at the original line and column.

interface Edit {
  originalStart: number;
  originalEnd: number;
  generatedStart: number;
  generatedEnd: number;
}

export interface Position {
  line: number;
  column: number;
}

export class SourceMap {
  private readonly edits: Edit[] = [];
  private readonly lineStarts: number[];

  /** `original`: the template as the author wrote it. */
  constructor(readonly original: string) {
    this.lineStarts = [0];
    for (let i = 0; i < original.length; i++) if (original.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** Edits must be recorded in increasing order of both offsets. */
  record(originalStart: number, originalEnd: number, generatedStart: number, generatedEnd: number): void {
    this.edits.push({ originalStart, originalEnd, generatedStart, generatedEnd });
  }

  /** Offset in the original text of an offset in the generated text. */
  toOriginalOffset(generated: number): number {
    const edit = this.lastEditStartingAtOrBefore(generated);
    if (!edit) return generated;
    if (generated < edit.generatedEnd) {
      const inside = generated - edit.generatedStart;
      return edit.originalStart + Math.min(inside, Math.max(0, edit.originalEnd - edit.originalStart - 1));
    }
    return edit.originalEnd + (generated - edit.generatedEnd);
  }

  /** 1-based line and column in the original text. */
  positionOf(originalOffset: number): Position {
    const offset = Math.max(0, Math.min(originalOffset, this.original.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  originalPositionOf(generated: number): Position {
    return this.positionOf(this.toOriginalOffset(generated));
  }

  private lastEditStartingAtOrBefore(generated: number): Edit | undefined {
    let low = 0;
    let high = this.edits.length - 1;
    let found: Edit | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const edit = this.edits[mid]!;
      if (edit.generatedStart <= generated) {
        found = edit;
        low = mid + 1;
      } else high = mid - 1;
    }
    return found;
  }
}
