import { SegmentNotFound } from "@/components/admin/segment-states";

export default SegmentNotFound;
