import { SegmentLoading } from "@/components/admin/segment-states";

export default SegmentLoading;
