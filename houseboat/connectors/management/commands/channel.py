import getpass
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.connectors import services
from houseboat.connectors.base import ConnectorError
from houseboat.connectors.models import Channel
from houseboat.connectors.registry import CONNECTORS, connector_class
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.messages import unpromise_retry
from houseboat.core.models import Team
from houseboat.core.services import audit


def parse_pairs(pairs: list[str], what: str) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CommandError(
                _("%(what)s %(pair)r is not NAME=VALUE.") % {"what": what, "pair": pair}
            )
        values[name.strip()] = value.strip()
    return values


class Command(HouseboatCommand):
    help = gettext_lazy("Connect, list, check or remove a team's channels.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list,check,remove}")
        add = sub.add_parser(
            "add",
            help=_(
                "Connect a channel. Secrets are asked for, or read from --secrets-file; "
                "never put them on the command line."
            ),
        )
        add.add_argument("--team", required=True, help=_("Short name of the team."))
        # The own site comes with each campaign; it is not added by hand.
        add.add_argument(
            "--network", required=True, choices=[n for n in CONNECTORS if n != "own_site"]
        )
        add.add_argument("--name", default="", help=_("How the team recognises the channel."))
        add.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=_("A plain setting, e.g. base_url=https://mastodon.social (repeatable)."),
        )
        add.add_argument(
            "--secrets-file",
            metavar="PATH",
            help=_("A file of NAME=VALUE lines with the credentials ('-' reads standard input)."),
        )
        add.add_argument(
            "--allow-private-network",
            action="store_true",
            help=_("Allow a private or local address (your own Bot API server, say)."),
        )
        add.add_argument("--no-check", action="store_true", help=_("Do not call the network now."))
        add.add_argument(
            "--keep-if-failing",
            action="store_true",
            help=_(
                "If the check fails, keep the channel marked not working instead of "
                "removing it (on a terminal you are asked)."
            ),
        )
        listing = sub.add_parser("list", help=_("List channels with their status and last error."))
        listing.add_argument("--team", help=_("Only this team's channels."))
        check = sub.add_parser("check", help=_("Ask the network who the account is."))
        check.add_argument("channel", type=int, help=_("The channel's number (see `list`)."))
        remove = sub.add_parser("remove", help=_("Remove a channel and delete its credentials."))
        remove.add_argument("channel", type=int)
        remove.add_argument("--yes", action="store_true", help=_("Do not ask for confirmation."))

    def handle(self, *args, action: str, **options):
        # Not getattr(self, action): a method named `check` hid BaseCommand.check, which
        # Django calls before every command run from a terminal.
        {
            "add": self.add_channel,
            "list": self.list_channels,
            "check": self.check_channel,
            "remove": self.remove_channel,
        }[action](options)

    # -- add

    def add_channel(self, options) -> None:
        team = Team.objects.filter(slug=options["team"]).first()
        if team is None:
            raise CommandError(
                _("No team is called %(team)r. `houseboat team list`.") % {"team": options["team"]}
            )
        network = options["network"]
        manifest = connector_class(network).manifest
        values: dict = parse_pairs(options["set"], "--set")
        secret_names = {spec["name"] for spec in manifest["credentials"]}
        plain_names = {spec["name"] for spec in manifest["settings"]}
        unknown = set(values) - plain_names
        if unknown & secret_names:
            raise CommandError(
                _(
                    "Credentials do not go on the command line (they would stay in your shell "
                    "history): use --secrets-file or answer the prompt."
                )
            )
        if unknown:
            raise CommandError(
                _("%(label)s has no setting %(value)s. Its settings: %(value2)s.")
                % {
                    "label": manifest["label"],
                    "value": ", ".join(sorted(unknown)),
                    "value2": ", ".join(sorted(plain_names)) or "none",
                }
            )
        values.update(self.read_secrets(options.get("secrets_file"), manifest))
        values["allow_private_network"] = options["allow_private_network"]
        try:
            channel = services.add_channel(
                team=team, network=network, name=options["name"], values=values, created_by=None
            )
        except services.ChannelSetupError as error:
            raise CommandError(str(error)) from None
        audit(AuditAction.CHANNEL_ADDED, team=team, target=channel, detail="from the command line")
        if options["no_check"]:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Added channel %(pk)s: %(channel)s.") % {"pk": channel.pk, "channel": channel}
                )
            )
            return
        try:
            account = services.check_channel(channel)
        except ConnectorError as error:
            self.keep_or_remove(channel, error, keep=options["keep_if_failing"])
            return
        self.stdout.write(
            self.style.SUCCESS(
                _("Added channel %(pk)s: %(channel)s.") % {"pk": channel.pk, "channel": channel}
            )
        )
        self.report_check(channel, account)

    def keep_or_remove(self, channel: Channel, error: ConnectorError, *, keep: bool) -> None:
        """Keep a channel whose first check failed, marked not working, or remove it."""
        if not keep and sys.stdin.isatty():
            self.stdout.write(
                _("The check failed: %(unpromise_retry)s")
                % {"unpromise_retry": unpromise_retry(str(error))}
            )
            answer = input("Keep it anyway, marked not working? [y/N] ")
            keep = answer.strip().lower() in ("y", "yes")
        if keep:
            services.keep_failing_channel(channel, error)
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Kept channel %(pk)s: %(channel)s, marked not working: %(unpromise_retry)s Fix it, then run `houseboat channel check %(pk)s`."
                    )
                    % {
                        "pk": channel.pk,
                        "channel": channel,
                        "unpromise_retry": unpromise_retry(channel.last_error),
                    }
                )
            )
            return
        audit(
            AuditAction.CHANNEL_REMOVED, team=channel.team, target=channel,
            detail="its first check failed",
        )  # fmt: skip
        channel.delete()
        hint = "" if sys.stdin.isatty() else " (or add --keep-if-failing to keep it)"
        raise CommandError(
            _(
                "The check failed: %(unpromise_retry)s\nRemoved the channel again; nothing was kept. Fix the settings and add it again%(hint)s."
            )
            % {"unpromise_retry": unpromise_retry(str(error)), "hint": hint}
        )

    def read_secrets(self, path: str | None, manifest) -> dict[str, str]:
        if path:
            text = sys.stdin.read() if path == "-" else self.read_file(path)
            lines = [
                line for line in text.splitlines() if line.strip() and not line.startswith("#")
            ]
            secrets = parse_pairs(lines, "The line")
            known = {spec["name"] for spec in manifest["credentials"]}
            if set(secrets) - known:
                raise CommandError(
                    _("%(label)s takes these credentials: %(value)s.")
                    % {"label": manifest["label"], "value": ", ".join(sorted(known))}
                )
            return secrets
        secrets = {}
        if manifest["credentials"] and not sys.stdin.isatty():
            raise CommandError(
                _("Give the credentials with --secrets-file (no terminal to ask on).")
            )
        for spec in manifest["credentials"]:
            value = getpass.getpass(f"{spec['label']} ({spec['help']}): ")
            if value:
                secrets[spec["name"]] = value
        return secrets

    @staticmethod
    def read_file(path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(strerror)s.") % {"path": path, "strerror": exc.strerror}
            ) from None

    # -- list, check, remove

    def list_channels(self, options) -> None:
        channels = Channel.objects.select_related("team").order_by("team__slug", "network", "name")
        if options.get("team"):
            channels = channels.filter(team__slug=options["team"])
        if not channels:
            self.stdout.write(_("No channels. Connect one: houseboat channel add --help"))
        for channel in channels:
            state = channel.get_status_display()
            if channel.is_rate_limited:
                state += f", slowed down until {channel.rate_limited_until:%H:%M} UTC"
            line = (
                f"{channel.pk}\t{channel.team.slug}\t{channel.network}\t{channel.name}\t"
                f"{channel.account_handle or '-'}\t{state}"
            )
            self.stdout.write(line)
            if channel.last_error:
                self.stdout.write(
                    _("\tlast error: %(last_error)s") % {"last_error": channel.last_error}
                )

    def channel(self, pk: int) -> Channel:
        channel = Channel.objects.filter(pk=pk).first()
        if channel is None:
            raise CommandError(
                _("No channel %(pk)s. `houseboat channel list` shows them.") % {"pk": pk}
            )
        return channel

    def check_channel(self, options) -> None:
        self.run_check(self.channel(options["channel"]))

    def run_check(self, channel: Channel) -> None:
        try:
            account = services.check_channel(channel)
        except ConnectorError as error:
            # Run by hand: nothing will try this check again.
            raise CommandError(f"{channel}: {unpromise_retry(str(error))}") from None
        self.report_check(channel, account)

    def report_check(self, channel: Channel, account) -> None:
        audit(AuditAction.CHANNEL_CHECKED, team=channel.team, target=channel)
        self.stdout.write(self.style.SUCCESS(f"{channel} works: {account.handle}"))
        if account.permissions:
            self.stdout.write(f"  may: {', '.join(account.permissions)}")
        for note in account.notes:
            self.stdout.write(f"  note: {note}")

    def remove_channel(self, options) -> None:
        channel = self.channel(options["channel"])
        if channel.network == "own_site":
            raise CommandError(_("The own site belongs to its campaign and cannot be removed."))
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(_("Add --yes to remove without a question."))
            if input(f"Remove {channel}? Type yes: ").strip().lower() != "yes":
                raise CommandError(_("Nothing removed."))
        audit(AuditAction.CHANNEL_REMOVED, team=channel.team, target=channel)
        channel.delete()
        self.stdout.write(
            self.style.SUCCESS(
                _("Removed %(channel)s; its credentials are deleted.") % {"channel": channel}
            )
        )
