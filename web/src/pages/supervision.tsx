/** 亮灯督办: overdue and at-risk cases and workload per steward (being built). */
import type { Me } from '../types';
export default function Supervision(_: { me: Me }) {
  return null;
}
