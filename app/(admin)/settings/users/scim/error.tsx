"use client";

import { SegmentError } from "@/components/admin/segment-error";

export default SegmentError;
