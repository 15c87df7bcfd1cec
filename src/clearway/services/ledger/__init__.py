"""The verifiable ledger's adapters that need more than the standard library: Ed25519 signing."""
