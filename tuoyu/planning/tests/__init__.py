"""Tests of the planning app."""
