import { PageSkeleton } from "@/components/Skeleton";

export default function MirrorsLoading() {
  return <PageSkeleton label="mirrors" />;
}
