-- Peer security (issue 10): a peer must opt in before its password is sent in clear text without TLS.

-- AlterTable
ALTER TABLE "peers" ADD COLUMN "allow_cleartext_password" BOOLEAN NOT NULL DEFAULT false;
