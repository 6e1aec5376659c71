"""Tests of `evalspec check`: case files, bad input and the command line."""
