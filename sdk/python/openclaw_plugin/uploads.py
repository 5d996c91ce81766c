"""Staging files the gateway sends (the `uploads` capability)."""

from .capability import imported

_wit = imported("uploads")

Staged = _wit.Staged
stage = _wit.stage
