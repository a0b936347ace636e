import { NotFoundPanel } from "@/components/NotFoundPanel";

export default function PeerNotFound() {
  return <NotFoundPanel kind="peer" listHref="/peers" listLabel="peers" />;
}
