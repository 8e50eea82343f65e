/* main.c: the mockserver command line (placeholder until the HTTP front lands). */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "mockserver: not implemented yet\n");
    return 3;
}
