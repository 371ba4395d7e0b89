/** The `detections` table: the object detector's boxes of each clip, with the zones they stood in. */
import type Database from 'better-sqlite3';
import type { ClipDetection } from '../../src/core/detections.js';

interface DetectionRow {
  time: number;
  label: string;
  classId: number;
  score: number;
  x: number;
  y: number;
  width: number;
  height: number;
  zones: string;
}

export class DetectionsRepository {
  private readonly insertStmt: Database.Statement<[number, number, string, number, number, number, number, number, number, string]>;
  private readonly ofClipStmt: Database.Statement<[number], DetectionRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO detections (clip_id, frame_sec, label, class_id, score, x, y, width, height, zones) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.ofClipStmt = db.prepare(
      'SELECT frame_sec AS time, label, class_id AS classId, score, x, y, width, height, zones FROM detections WHERE clip_id = ? ORDER BY score DESC, id',
    );
  }

  insert(clipId: number, detections: readonly ClipDetection[]): void {
    for (const d of detections) {
      const { x, y, width, height } = d.box;
      this.insertStmt.run(clipId, d.time, d.label, d.classId, d.score, x, y, width, height, JSON.stringify(d.zones));
    }
  }

  /** A clip's detections, the surest first. */
  ofClip(clipId: number): ClipDetection[] {
    return this.ofClipStmt.all(clipId).map((r) => ({
      label: r.label, classId: r.classId, score: r.score, time: r.time, box: { x: r.x, y: r.y, width: r.width, height: r.height }, zones: JSON.parse(r.zones) as string[],
    }));
  }
}
