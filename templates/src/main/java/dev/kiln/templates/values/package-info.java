/**
 * The catalog's value types — an OS entry, its installer, a refused answer value — shared by
 * the public catalog and the internal answer-file renderers, so neither package imports the
 * other back.
 */
package dev.kiln.templates.values;
