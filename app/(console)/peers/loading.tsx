import { PageSkeleton } from "@/components/Skeleton";

export default function PeersLoading() {
  return <PageSkeleton label="peers" />;
}
