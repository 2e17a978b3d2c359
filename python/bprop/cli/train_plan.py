"""``train``'s flags resolved once into a :class:`TrainPlan`: the defaults, the rules
between flags (training's own, through :func:`bprop.training.settings.resolve_settings`),
and what ``--resume`` takes from the model (its data, split, kind, scaling and learning
rate), read from its file once. The parsed arguments are never changed."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.sources import DataSource
from ..network import Network
from ..optim import AdamW, Optimizer
from ..schedules import get_schedule, started
from ..training.settings import CLI, Settings, resolve_settings
from .common import (
    CliError,
    changed_data,
    check_fingerprint,
    check_threads,
    load_model,
    recorded_delimiter,
)


@dataclass(frozen=True)
class Resumed:
    """What ``--resume`` takes from its model."""

    net: Network
    meta: dict
    data: str
    delimiter: str | None
    fingerprint: dict | None
    seed: int | None
    test_fraction: float | None
    split_ranks: int
    learning_rate: float | None
    notes: tuple[str, ...]
    carried: dict[str, Any] = field(default_factory=dict)

    @property
    def scaling(self) -> Any:
        return self.meta.get("standardize")

    @property
    def sizes(self) -> list[int]:
        return self.meta["layer_sizes"]


@dataclass(frozen=True)
class TrainPlan:
    """train's settings, resolved: the flags' names, with defaults filled in.

    ``notes`` are what resuming took from the model, printed once the data and the
    network pass their checks (an error stays one line).
    """

    data: str
    source: DataSource
    dtype: str
    hidden: str
    hidden_given: bool
    init: str
    activation: Any  # a name, or one per hidden layer (a resumed model's)
    output: str
    seed: int
    test_fraction: float | None
    validation_fraction: float | None
    standardize: bool
    delimiter: str | None
    threads: int | None
    quiet: bool
    save: str | None
    plot: str | None
    distributed: bool
    lambda_: float
    optimizer: str
    learning_rate: float | None
    batch_size: int | None
    early_stopping: bool
    patience: int
    settings: Settings
    resume: str | None = None
    resumed: Resumed | None = None
    split_ranks: int = 1
    data_fingerprint: dict | None = None
    notes: tuple[str, ...] = ()
    weight_decay: float | None = None

    def train_keywords(self) -> dict[str, Any]:
        """The keywords of bprop.train that come from the flags (a new AdamW for
        --weight-decay, whose state the run keeps)."""
        s = self.settings
        optimizer: str | Optimizer = self.optimizer
        learning_rate = self.learning_rate
        if self.weight_decay is not None:
            optimizer, learning_rate = AdamW(learning_rate, self.weight_decay), None
        return dict(
            lambda_=self.lambda_,
            optimizer=optimizer,
            learning_rate=learning_rate,
            iterations=s.iterations,
            epochs=s.epochs,
            batch_size=self.batch_size,
            seed=self.seed,
            verbose=not self.quiet,
            schedule=s.schedule,
            clip_norm=s.clip_norm,
            shuffle=s.shuffle,
            max_fun=s.max_fun,
        )


def plan_train(args: argparse.Namespace) -> TrainPlan:
    """Resolve and check train's flags (``args`` is left as parsed)."""
    check_threads(args)
    if args.distributed:  # checked here, before MPI: every rank says the same
        for flag in ("resume", "standardize", "early_stopping", "validation_fraction", "plot"):
            if getattr(args, flag):
                raise CliError(f"--{flag.replace('_', '-')} is not available with --distributed")
    resumed = resume(args) if args.resume else None
    activation, output = _network_kind(args, resumed)
    learning_rate = resumed.learning_rate if resumed else args.learning_rate
    # the flags, else (resuming) the model's settings that fit this run, else the defaults
    given = {
        "lambda_": args.lambda_,
        "weight_decay": args.weight_decay,
        "clip_norm": args.clip_norm,
        "shuffle": args.shuffle,
    }
    carried = resumed.carried if resumed else {}
    step = {k: carried.get(k) if v is None else v for k, v in given.items()}
    if args.weight_decay is not None and args.optimizer != "adamw":
        raise CliError(
            f"--weight-decay: only used with --optimizer adamw (decoupled decay); "
            f"{args.optimizer} takes the L2 term --lambda"
        )
    settings = resolve_settings(
        optimizer=args.optimizer,
        learning_rate=learning_rate,
        iterations=args.iterations,
        epochs=args.epochs,
        batch_size=args.batch_size,
        patience=args.patience,
        early_stopping=args.early_stopping,
        schedule=args.schedule,
        clip_norm=step["clip_norm"],
        shuffle=True if step["shuffle"] is None else step["shuffle"],
        max_fun=args.max_fun,
        spelling=CLI,
    )
    decay = step["weight_decay"]
    rate = settings.optimizer.learning_rate if settings.optimizer is not None else None
    if args.optimizer == "adamw" and decay is not None and rate is not None and decay * rate >= 1:
        raise CliError(
            f"--weight-decay {decay:g} with learning rate {rate:g}: each step would shrink "
            f"the weights by {decay * rate:g} of themselves, flipping their sign; the "
            f"product must be below 1"
        )
    if args.distributed and output == "identity":
        raise CliError("--output identity is not available with --distributed")
    data = resumed.data if resumed else args.data or "digits"
    seed = resumed.seed if resumed else args.seed
    validation = args.validation_fraction
    return TrainPlan(
        data=data,
        source=DataSource.parse(data),
        dtype=args.dtype,
        hidden="25" if args.hidden is None else args.hidden,
        hidden_given=args.hidden is not None,
        init=args.init or "uniform",
        activation=activation,
        output=output,
        seed=0 if seed is None else seed,
        test_fraction=resumed.test_fraction if resumed else args.test_fraction,
        validation_fraction=0.1 if args.early_stopping and validation is None else validation,
        standardize=args.standardize,
        delimiter=resumed.delimiter if resumed else args.delimiter,
        threads=args.threads,
        quiet=args.quiet,
        save=args.save,
        plot=args.plot,
        distributed=args.distributed,
        lambda_=1.0 if step["lambda_"] is None else step["lambda_"],
        optimizer=args.optimizer,
        learning_rate=learning_rate,
        batch_size=args.batch_size,
        early_stopping=args.early_stopping,
        patience=settings.patience,
        settings=settings,
        resume=args.resume,
        resumed=resumed,
        split_ranks=resumed.split_ranks if resumed else 1,
        data_fingerprint=resumed.fingerprint if resumed else None,
        notes=resumed.notes if resumed else (),
        weight_decay=step["weight_decay"],
    )


def check_schedule(plan: TrainPlan, m: int) -> None:
    """--schedule against the run it is given, once its training samples (``m``) are
    known and before training starts: a cosine warm-up as long as the run, a floor at
    or above the learning rate, an epoch whose rate is not finite and > 0 (a cosine span
    shorter than the run that ends at min_lr=0)."""
    s = plan.settings
    if s.schedule is None or s.optimizer is None:
        return
    batch = m if s.batch_size is None else min(s.batch_size, m)
    steps = math.ceil(m / batch)
    epochs = s.epochs if s.iterations is None else math.ceil(s.iterations / steps)
    try:
        started(s.schedule, s.optimizer.learning_rate, epochs or 1, m)
    except ValueError as e:  # (a rate's message starts with the schedule's spec)
        spec, message = s.schedule.spec(), str(e)
        named = message if message.startswith(spec) else f"{spec}: {message}"
        raise CliError(f"--schedule {named}") from None


def _network_kind(args: argparse.Namespace, resumed: Resumed | None) -> tuple[Any, str]:
    """The hidden activation and the output: the flags', else the resumed model's, else
    sigmoid and logistic. Resuming refuses another kind or scaling than the model's."""
    if resumed is None:
        return args.activation or "sigmoid", args.output or "logistic"
    if args.standardize and not resumed.scaling:
        raise CliError(
            f"--standardize: the model of --resume {args.resume} was trained "
            f"on unstandardised inputs, and resuming keeps its scaling; drop "
            f"--standardize (or train a new model with it)"
        )
    for name in ("activation", "output"):
        given, mine = getattr(args, name), getattr(resumed.net, name)
        if given is not None and given != mine:
            raise CliError(f"--{name} {given}: the model of --resume has {mine}")
    return resumed.net.activation, resumed.net.output


def resume(args: argparse.Namespace) -> Resumed:
    """Read --resume's model once and take from it what the flags leave open."""
    if getattr(args, "init", None) is not None:
        raise CliError(
            f"--init {args.init}: --resume starts from the model's weights; leave --init out"
        )
    net, meta = load_model(args.resume, "--resume")
    data, delimiter, fingerprint, notes = _resume_data(args, meta)
    seed, test_fraction, split_ranks = _resumed_split(args, meta, data)
    learning_rate, note = _resumed_learning_rate(args, meta)
    carried, setting_notes = _resumed_settings(args, meta)
    return Resumed(
        net=net,
        meta=meta,
        data=data,
        delimiter=delimiter,
        fingerprint=fingerprint,
        seed=seed,
        test_fraction=test_fraction,
        split_ranks=split_ranks,
        learning_rate=learning_rate,
        notes=(*notes, *([note] if note else []), *setting_notes),
        carried=carried,
    )


def _resume_data(args: argparse.Namespace, meta: dict) -> tuple[str, str | None, dict, list[str]]:
    """--resume's data, delimiter, fingerprint and notes: without --data, the model's
    own (said first; refused by name when its files changed since training, as evaluate
    refuses them). Either way the data are fingerprinted, a text file of the recorded
    kind is read with the recorded delimiter, and data that are not the model's own get
    a note: its held-out rows are unknown."""
    recorded = meta.get("data")
    if args.data is None:
        if not isinstance(recorded, str) or not recorded:
            raise CliError(
                f"--resume {args.resume} records no training data (saved from "
                f"Python?); name the data to train on with --data"
            )
        source = DataSource.parse(recorded)
        if source.is_file and not Path(recorded).is_file():
            raise CliError(
                f"the model of --resume {args.resume} was trained on {recorded}, "
                f"which is not there now; name the data with --data"
            )
        delimiter = recorded_delimiter(source, args.delimiter, meta)
        fingerprint = source.fingerprint()
        note = check_fingerprint(args.resume, meta, recorded, fingerprint, "train on")
        said = (
            f"bprop: note: no --data: resuming on the data the model of --resume "
            f"{args.resume} was trained on, {recorded}"
        )
        return recorded, delimiter, fingerprint, [said, *([note] if note else [])]
    source = DataSource.parse(args.data)
    delimiter = recorded_delimiter(source, args.delimiter, meta)
    fingerprint = source.fingerprint()
    changed = changed_data(meta, fingerprint)
    notes = []
    if changed:
        name, what = changed[0]
        notes.append(
            f"bprop: note: --data {args.data} is not the data the model of "
            f"--resume {args.resume} was trained on ({name}: {what}): the rows "
            f"its training held out are unknown for these data, so its test part "
            f"may hold rows it was trained on"
        )
    return args.data, delimiter, fingerprint, notes


def _resumed_split(
    args: argparse.Namespace, meta: dict, data: str
) -> tuple[int | None, float | None, int]:
    """(seed, test fraction, shards split): --resume on the model's own data keeps the
    split that chose its test rows: --seed and --test-fraction default to the model's,
    and other values are refused (they would train on rows the model was tested on)."""
    source = DataSource.parse(data)
    if meta.get("data") is None or meta.get("data") != source.record() or "seed" not in meta:
        return args.seed, args.test_fraction, 1  # other data, or saved from Python
    recorded = {"seed": meta["seed"], "test_fraction": meta.get("test_fraction")}
    effective = {"seed": meta["seed"], "test_fraction": meta.get("test_fraction") or 0.2}
    chosen = {}
    for name in ("seed", "test_fraction"):
        given = getattr(args, name)
        chosen[name] = recorded[name] if given is None else given
        # ((Fashion-)MNIST's test rows do not depend on the seed)
        if given is not None and given != effective[name] and not source.has_test_split:
            flag = "--" + name.replace("_", "-")
            raise CliError(
                f"{flag} {given:g}: the model of --resume {args.resume} was trained "
                f"on {data} with {flag} {effective[name]:g}, which chose the rows "
                f"it was tested on; another split would now train on them. Leave "
                f"{flag} out to keep the model's split (or train a new model)"
            )
    return chosen["seed"], chosen["test_fraction"], int(meta.get("split_ranks") or 1)


def _resumed_learning_rate(args: argparse.Namespace, meta: dict) -> tuple[float | None, str]:
    """Without --learning-rate, resuming with the model's optimizer keeps the model's
    learning rate (not the optimizer's default), and says so."""
    rate = meta.get("learning_rate")
    if (
        args.learning_rate is not None
        or args.optimizer != meta.get("optimizer")
        or isinstance(rate, bool)
        or not isinstance(rate, (int, float))
        or not (math.isfinite(rate) and rate > 0)
    ):
        return args.learning_rate, ""
    return float(rate), (
        f"bprop: note: learning rate {rate:g}, the one {args.optimizer} trained "
        f"the model of --resume {args.resume} with (--learning-rate sets another)"
    )


def _resumed_settings(args: argparse.Namespace, meta: dict) -> tuple[dict[str, Any], list[str]]:
    """The model's training settings that a flag left out takes over (``lambda_``,
    ``weight_decay``, ``clip_norm``, ``shuffle``), and notes naming them and those not
    carried over: a weight decay or clipping or batch order the new optimiser does not
    take, and a schedule (it would start again from its first epoch; --schedule gives one).
    A model that records none of them (bprop 0.2, or saved from Python) gets no note."""
    carried: dict[str, Any] = {}
    dropped: list[str] = []
    lbfgs, adamw = args.optimizer == "lbfgs", args.optimizer == "adamw"
    lam = _number(meta.get("lambda_"), lambda v: v >= 0)
    if args.lambda_ is None and lam is not None and lam != 1.0:
        carried["lambda_"] = lam
    decay = _number(meta.get("weight_decay"), lambda v: v >= 0)
    if args.weight_decay is None and decay is not None:
        if adamw and meta.get("optimizer") == "adamw":
            carried["weight_decay"] = decay
        elif not adamw:
            dropped.append(f"weight decay {decay:g} ({args.optimizer} takes none)")
    clip = _number(meta.get("clip_norm"), lambda v: v > 0)
    if args.clip_norm is None and clip is not None:
        if lbfgs:
            dropped.append(f"clip norm {clip:g} (lbfgs takes no clipped steps)")
        else:
            carried["clip_norm"] = clip
    if args.shuffle is None and meta.get("shuffle") is False:
        if lbfgs:
            dropped.append("--no-shuffle (lbfgs works on the full batch)")
        else:
            carried["shuffle"] = False
    schedule = meta.get("schedule")
    if args.schedule is None and isinstance(schedule, str) and schedule:
        try:
            get_schedule(schedule)
        except ValueError:
            schedule = repr(schedule)
        dropped.append(
            f"schedule {schedule} (it would start again from its first epoch; --schedule gives one)"
        )
    names = {
        "lambda_": lambda v: f"lambda {v:g}",
        "weight_decay": lambda v: f"weight decay {v:g}",
        "clip_norm": lambda v: f"clip norm {v:g}",
        "shuffle": lambda v: "--no-shuffle",
    }
    notes = []
    if carried:
        said = ", ".join(names[k](v) for k, v in carried.items())
        notes.append(
            f"bprop: note: {said}: the settings the model of --resume {args.resume} was "
            f"trained with (flags set others)"
        )
    if dropped:
        notes.append(
            f"bprop: note: not carried over from the model of --resume {args.resume}: "
            f"{'; '.join(dropped)}"
        )
    return carried, notes


def _number(value: Any, ok: Any) -> float | None:
    """A recorded ``value`` as a float when it is a finite real number that ``ok``
    accepts, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) and ok(v) else None


__all__ = ["Resumed", "TrainPlan", "check_schedule", "plan_train"]
