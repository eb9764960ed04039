"""Sync between sites that share no network: signed, encrypted bundle files and the rules that merge them.

`hlc` orders changes across sites, `identity` holds each site's keys and the peers it trusts, `bundle` seals and
opens the files, `minisign` writes the detached signature anyone can check, `records` validates what a bundle
carries, and `service` exports, imports and settles conflicts through the store's one write path.
"""
