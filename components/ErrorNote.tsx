/**
 * A failure said in a red box, announced to screen readers as it appears; nothing while there is
 * no message. `className` adds spacing for where it stands.
 */
export function ErrorNote({ message, className = "" }: { message: string | null | undefined; className?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className={`${className} rounded-md bg-red-50 px-3 py-2 text-sm text-red-700`.trim()}>
      {message}
    </p>
  );
}
