"""Perturbations of a test split as data: the input modality each applies to and what it does
(their parameters are in validate/model.py, their code in execute/data/perturb.py)."""

from __future__ import annotations

from dataclasses import dataclass

from evalspec.registry.base import Registry


@dataclass(frozen=True)
class PerturbationDef:
    name: str
    modality: str  # text | image | audio
    description: str


PERTURBATIONS: Registry[PerturbationDef] = Registry("perturbation")
for _perturbation in (
        PerturbationDef("typos", "text", "each letter, at a rate, deleted, doubled, swapped with "
                        "the next or replaced by a neighbouring key"),
        PerturbationDef("case", "text", "every text lower-cased, upper-cased or title-cased"),
        PerturbationDef("drop_words", "text", "each word dropped at a rate (one always kept)"),
        PerturbationDef("strip_punctuation", "text", "every punctuation character removed"),
        PerturbationDef("gaussian_noise", "image", "Gaussian pixel noise (std as a fraction of "
                        "the pixel range)"),
        PerturbationDef("blur", "image", "Gaussian blur of a radius in pixels"),
        PerturbationDef("jpeg", "image", "JPEG compression at a quality"),
        PerturbationDef("brightness", "image", "brightness scaled by a factor"),
        PerturbationDef("rotate", "image", "rotation by an angle in degrees, black corners"),
        PerturbationDef("background_noise", "audio", "white noise at a signal-to-noise ratio "
                        "in dB"),
        PerturbationDef("speed", "audio", "played faster or slower by a factor (pitch moves "
                        "with it)"),
        PerturbationDef("gain", "audio", "loudness changed by decibels, clipped to full scale"),
):
    PERTURBATIONS.add(_perturbation)
