/* cliopt: the option parser and --help generator shared by eif and nsm (see cliopt.h). */
#include "cliopt.h"

#include <string.h>

#define HELP_COLUMN_MAX 30	/* option column width cap in --help */
#define LINE_WIDTH 80

void cliopt_start(struct cliopt_parser *p, const struct cliopt_command *command, int argc,
		  char **argv)
{
	memset(p, 0, sizeof(*p));
	p->command = command;
	p->argc = argc;
	p->argv = argv;
	p->next = 1;
}

void cliopt_spelling(const struct cliopt *option, int with_value, char *out, size_t size)
{
	int n = option->letter ? snprintf(out, size, "-%c", option->letter) :
				 snprintf(out, size, "--%s", option->name);

	if (with_value && option->value && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, " %s", option->value);
}

static int fail(struct cliopt_parser *p, const char *fmt, const char *what, size_t len)
{
	snprintf(p->error, sizeof(p->error), fmt, (int)len, what);
	return CLIOPT_ERROR;
}

/* An option's value comes from the rest of its argument or else the next argument, whatever
 * that holds ("-h" included): an option that takes a value always consumes one. */
static int take_value(struct cliopt_parser *p, const struct cliopt *o, const char *attached,
		      const char *as_given, size_t given_len)
{
	size_t index = (size_t)(o - p->command->options);

	if (attached) {
		p->value = attached;
	} else if (p->next < p->argc) {
		p->value = p->argv[p->next++];
	} else {
		return fail(p, "option '%.*s' needs a value", as_given, given_len);
	}
	p->option = o;
	if (index < 64)
		p->seen |= 1ull << index;
	return o->id;
}

static int found(struct cliopt_parser *p, const struct cliopt *o)
{
	size_t index = (size_t)(o - p->command->options);

	p->option = o;
	p->value = NULL;
	if (index < 64)
		p->seen |= 1ull << index;
	return o->id;
}

static const struct cliopt *find_long(const struct cliopt *o, const char *name, size_t len)
{
	for (; o && o->name; o++)
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static const struct cliopt *find_letter(const struct cliopt *o, char letter)
{
	for (; o && o->name; o++)
		if (o->letter == letter)
			return o;
	return NULL;
}

static int next_in_cluster(struct cliopt_parser *p)
{
	char letter = *p->cluster++;
	char given[3] = { '-', letter, '\0' };
	const struct cliopt *o = find_letter(p->command->options, letter);

	if (!*p->cluster)
		p->cluster = NULL;
	if (!o && letter == 'h')
		return CLIOPT_HELP;
	if (!o)
		return fail(p, "unknown option '%.*s'", given, 2);
	if (!o->value)
		return found(p, o);
	{
		const char *attached = p->cluster;

		p->cluster = NULL;
		return take_value(p, o, attached, given, 2);
	}
}

static int next_long(struct cliopt_parser *p, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cliopt *o = find_long(p->command->options, name, len);

	if (!o && len == 4 && memcmp(name, "help", 4) == 0) {
		if (eq)
			return fail(p, "option '%.*s' takes no value", arg, len + 2);
		return CLIOPT_HELP;
	}
	if (!o)
		return fail(p, "unknown option '%.*s'", arg, len + 2);
	if (!o->value) {
		if (eq)
			return fail(p, "option '%.*s' takes no value", arg, len + 2);
		return found(p, o);
	}
	return take_value(p, o, eq ? eq + 1 : NULL, arg, len + 2);
}

static int check_required(struct cliopt_parser *p)
{
	const struct cliopt *o = p->command->options;

	for (size_t i = 0; o && o[i].name && i < 64; i++) {
		if ((o[i].flags & CLIOPT_REQUIRED) && !(p->seen & (1ull << i))) {
			char spelling[96];

			cliopt_spelling(&o[i], 1, spelling, sizeof(spelling));
			return fail(p, "%.*s is required", spelling, strlen(spelling));
		}
	}
	return CLIOPT_DONE;
}

int cliopt_next(struct cliopt_parser *p)
{
	const char *arg;

	if (p->cluster)
		return next_in_cluster(p);
	if (p->next >= p->argc)
		return check_required(p);
	arg = p->argv[p->next++];
	p->option = NULL;
	p->value = arg;
	if (p->operands_only || arg[0] != '-' || arg[1] == '\0' || (arg[1] >= '0' && arg[1] <= '9'))
		return CLIOPT_OPERAND;
	if (arg[1] == '-' && arg[2] == '\0') {
		p->operands_only = 1;
		return cliopt_next(p);
	}
	if (arg[1] == '-')
		return next_long(p, arg);
	p->cluster = arg + 1;
	return next_in_cluster(p);
}

/* Prints word, wrapping before it when the line would pass LINE_WIDTH. */
static void put_word(FILE *out, const char *word, size_t *column, size_t indent)
{
	size_t len = strlen(word);

	if (*column + 1 + len > LINE_WIDTH && *column > indent) {
		fprintf(out, "\n%*s", (int)indent, "");
		*column = indent;
	}
	fprintf(out, " %s", word);
	*column += 1 + len;
}

int cliopt_usage(FILE *out, const struct cliopt_command *c)
{
	size_t indent = strlen("usage: ") + strlen(c->tool) + 1 + strlen(c->name);
	size_t column = indent;
	char word[128];

	fprintf(out, "usage: %s %s", c->tool, c->name);
	if (*c->operands)
		put_word(out, c->operands, &column, indent);
	for (int pass = 0; pass < 2; pass++) {
		for (const struct cliopt *o = c->options; o && o->name; o++) {
			char spelling[96];
			int required = (o->flags & CLIOPT_REQUIRED) != 0;

			if ((o->flags & CLIOPT_HIDDEN) || required != (pass == 0))
				continue;
			cliopt_spelling(o, 1, spelling, sizeof(spelling));
			snprintf(word, sizeof(word), "%s%s%s%s", required ? "" : "[", spelling,
				 required ? "" : "]", (o->flags & CLIOPT_REPEAT) ? "..." : "");
			put_word(out, word, &column, indent);
		}
	}
	return fputc('\n', out) == EOF ? -1 : 0;
}

/* "  -o, --output FILE" / "      --name NAME" */
static int option_column(const struct cliopt *o, char *out, size_t size)
{
	return snprintf(out, size, "  %c%c%s--%s%s%s", o->letter ? '-' : ' ',
			o->letter ? o->letter : ' ', o->letter ? ", " : "  ", o->name,
			o->value ? " " : "", o->value ? o->value : "");
}

static void print_option(FILE *out, const struct cliopt *o, int width)
{
	char left[128];
	int n;

	if (o->flags & CLIOPT_HIDDEN)
		return;
	n = option_column(o, left, sizeof(left));
	if (n > width)
		fprintf(out, "%s\n%*s  %s\n", left, width, "", o->help);
	else
		fprintf(out, "%-*s  %s\n", width, left, o->help);
}

int cliopt_help(FILE *out, const struct cliopt_command *c)
{
	static const struct cliopt help = { "help", 'h', NULL, 0, 0, "print this help and exit" };
	char left[128];
	int width = option_column(&help, left, sizeof(left));
	char first = c->summary[0];

	cliopt_usage(out, c);
	if (first >= 'a' && first <= 'z')
		first = (char)(first - 'a' + 'A');
	fprintf(out, "\n%c%s.\n\nOptions:\n", first, c->summary + 1);
	for (const struct cliopt *o = c->options; o && o->name; o++) {
		int n = option_column(o, left, sizeof(left));

		if (!(o->flags & CLIOPT_HIDDEN) && n > width && n <= HELP_COLUMN_MAX)
			width = n;
	}
	for (const struct cliopt *o = c->options; o && o->name; o++)
		print_option(out, o, width);
	print_option(out, &help, width);
	if (c->notes)
		fprintf(out, "\n%s", c->notes);
	fprintf(out, "\nSee %s(1) for details.\n", c->tool);
	return ferror(out) ? -1 : 0;
}
