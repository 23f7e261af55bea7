"use client";

import { SegmentError } from "@/components/segment-error";

export default SegmentError;
