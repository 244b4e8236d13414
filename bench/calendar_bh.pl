#!/usr/bin/perl
# calendar_bh.pl: Perl's Business::Hours on the work of bench/calendar_bench.c (run by
# bench/calendar; see bench/README.md).
#
# Mon-Fri 09:00-17:00 in TZ (bench/calendar sets TZ=America/Toronto: Business::Hours uses
# localtime). Starts uniform over 2020-01-01 .. 2035-12-31 UTC; add: durations uniform over
# 0 .. 200 business hours (add_seconds); between: end = start + a span uniform over 0 .. 35 days
# (for_timespan over [start, end], then between, which is what between does on a fresh object).
#
# Usage: calendar_bh.pl ROUNDS SECONDS SEED [HOLIDAYS_FILE]
#   HOLIDAYS_FILE: one YYYY-MM-DD per line, given to Business::Hours as its holidays.
# Prints "round R add|between CALLS SECONDS CPU_SECONDS FAILED" per measurement (FAILED: calls
# that returned -1, which add_seconds does when the result lies beyond 30 calendar days).
use strict;
use warnings;
use Business::Hours;
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC CLOCK_PROCESS_CPUTIME_ID);

my ($rounds, $seconds, $seed, $holidays_file) = @ARGV;
die "usage: calendar_bh.pl ROUNDS SECONDS SEED [HOLIDAYS_FILE]\n" unless defined $seed;

my @holidays;
if (defined $holidays_file && $holidays_file ne '') {
    open my $fh, '<', $holidays_file or die "calendar_bh.pl: $holidays_file: $!\n";
    chomp(@holidays = grep { /\S/ } <$fh>);
    close $fh;
}

my %hours = (
    0 => { Name => 'Sunday',    Start => undef,   End => undef },
    1 => { Name => 'Monday',    Start => '09:00', End => '17:00' },
    2 => { Name => 'Tuesday',   Start => '09:00', End => '17:00' },
    3 => { Name => 'Wednesday', Start => '09:00', End => '17:00' },
    4 => { Name => 'Thursday',  Start => '09:00', End => '17:00' },
    5 => { Name => 'Friday',    Start => '09:00', End => '17:00' },
    6 => { Name => 'Saturday',  Start => undef,   End => undef },
);
$hours{holidays} = [@holidays] if @holidays;

my $bh = Business::Hours->new;
$bh->business_hours(%hours);

srand($seed);
my $from = 1577836800;    # 2020-01-01T00:00:00Z
my $to   = 2082758399;    # 2035-12-31T23:59:59Z
sub start_at { return $from + int(rand($to - $from + 1)) }

sub measure {
    my ($is_add) = @_;
    my ($calls, $failed) = (0, 0);
    my $t0 = clock_gettime(CLOCK_MONOTONIC);
    my $c0 = clock_gettime(CLOCK_PROCESS_CPUTIME_ID);
    my $t1;
    for (;;) {
        my $s = start_at();
        if ($is_add) {
            my $d = int(rand(200 * 3600 + 1));
            $failed++ if $bh->add_seconds($s, $d) == -1;
        } else {
            my $e = $s + int(rand(35 * 86400 + 1));
            $bh->for_timespan(Start => $s, End => $e);
            $failed++ if $bh->between($s, $e) == -1;
        }
        $calls++;
        $t1 = clock_gettime(CLOCK_MONOTONIC);
        last if $t1 - $t0 >= $seconds;
    }
    my $cpu = clock_gettime(CLOCK_PROCESS_CPUTIME_ID) - $c0;
    return ($calls, $t1 - $t0, $cpu, $failed);
}

$| = 1;
for my $r (1 .. $rounds) {
    for my $k (0, 1) {
        my $is_add = ($r % 2 == 1) ? ($k == 0) : ($k == 1);
        my @m = measure($is_add);
        printf "round %d %s %d %.6f %.6f %d\n", $r, $is_add ? 'add' : 'between', @m;
    }
}
