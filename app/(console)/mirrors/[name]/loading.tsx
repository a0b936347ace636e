import { PageSkeleton } from "@/components/Skeleton";

export default function MirrorLoading() {
  return <PageSkeleton label="the mirror" tabs rows={6} />;
}
