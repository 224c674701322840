/** One line of a LineChart: points with x in seconds since the connection started. */
export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number | null }[];
  dashed?: boolean;
  fill?: boolean;
}
