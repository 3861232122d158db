"""Privacy-enhancing building blocks for sharing between agencies.

- :mod:`netzicht.privacy.psi` — private set intersection (hit/no-hit checks on identifier lists,
  exchanged as files) built on OpenMined PSI (ECDH + Golomb-compressed sets).
- :mod:`netzicht.privacy.audit` — append-only, hash-chained audit log (JSON Lines + head file).
- :mod:`netzicht.privacy.aggregates` — trend tables with small-cell suppression (primary and
  complementary, audited against exact recovery from margins) and differentially private counts
  (OpenDP) with a privacy-budget ledger.
- :mod:`netzicht.privacy.pseudonymise` — keyed pseudonyms (HMAC-SHA256) that still match across
  sources, and a Fernet vault for the raw values.
- :mod:`netzicht.privacy.cli` — ``psi_app``, the ``netzicht psi`` commands.

The legal frame (GDPR/AVG Art. 25 and 32, Wpg, the RIEC covenant) asks for data minimisation and
for sharing aggregates or hit/no-hit answers instead of raw records where possible; these modules
are the technical side of that. All data in this project is synthetic.
"""
