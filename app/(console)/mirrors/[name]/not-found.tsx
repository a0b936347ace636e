import { NotFoundPanel } from "@/components/NotFoundPanel";

export default function MirrorNotFound() {
  return <NotFoundPanel kind="mirror" listHref="/mirrors" listLabel="mirrors" />;
}
