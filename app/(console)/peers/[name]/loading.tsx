import { PageSkeleton } from "@/components/Skeleton";

export default function PeerLoading() {
  return <PageSkeleton label="the peer" rows={6} />;
}
