import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { db } from "@/lib/catalog/db";
import { getAlertSettings } from "@/lib/web/alerts";
import { AlertSettingsForm } from "./AlertSettingsForm";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const alerts = await getAlertSettings(db());
  return (
    <>
      <PageHeader title="Settings" subtitle="Alerts for the people who run migrations, so nobody has to watch the console." />
      <AlertSettingsForm initial={alerts} />
    </>
  );
}
